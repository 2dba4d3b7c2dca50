#include "scgrad/distributed/environment.hpp"

#include <string>

#include "scgrad/error.hpp"

namespace scgrad {

namespace {

int integer_variable(const std::function<const char*(const char*)>& getenv, const char* name,
                     int fallback, int low, int high) {
  const char* text = getenv(name);
  if (text == nullptr || *text == '\0') return fallback;
  std::size_t used = 0;
  long value = 0;
  try {
    value = std::stol(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != std::string(text).size() || value < low || value > high) {
    throw OptionError(std::string("environment variable ") + name + "='" + text +
                      "': expected a whole number in [" + std::to_string(low) + ", " +
                      std::to_string(high) + "]");
  }
  return static_cast<int>(value);
}

}  // namespace

DistributedEnvironment distributed_environment(
    const std::function<const char*(const char*)>& getenv) {
  DistributedEnvironment env;
  env.world_size = integer_variable(getenv, "WORLD_SIZE", 1, 1, 1 << 20);
  env.rank = integer_variable(getenv, "RANK", 0, 0, env.world_size - 1);
  env.local_rank = integer_variable(getenv, "LOCAL_RANK", env.rank, 0, 1 << 20);
  if (const char* addr = getenv("MASTER_ADDR"); addr != nullptr && *addr != '\0') {
    env.master_addr = addr;
  }
  env.master_port = integer_variable(getenv, "MASTER_PORT", 29500, 1, 65535);
  return env;
}

}  // namespace scgrad

// scgrad._scgrad: the library's fit, predict, model files and markers for an AnnData already in
// memory. Thin on purpose: options, arrays and results cross here; all the work is the library's
// (python/scgrad/__init__.py turns AnnData objects into sources and results into pandas).

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "scgrad/error.hpp"
#include "scgrad/io/gene_map.hpp"
#include "scgrad/io/in_memory_anndata.hpp"
#include "scgrad/io/open_anndata.hpp"
#include "scgrad/io/prediction_output.hpp"
#include "scgrad/predict/marker_genes.hpp"
#include "scgrad/predict/predict_cells.hpp"
#include "scgrad/saved/model_file.hpp"
#include "scgrad/train/fit.hpp"
#include "scgrad/train/train_settings.hpp"
#include "scgrad/util/memory_size.hpp"
#include "scgrad/util/threads.hpp"

namespace py = pybind11;

namespace scgrad::python {

namespace {

/// Thrown from a progress callback when Python has an exception pending (Ctrl-C's
/// KeyboardInterrupt, or one raised by the progress function): unwinds the library's run, which
/// writes nothing until it returns; the caller raises the pending Python exception.
struct Interrupted : std::exception {};

/// Runs `work` with the GIL held (callbacks come from the library's threads, GIL released),
/// then checks for Ctrl-C: the library's long loops stop within one batch.
void with_python(const std::function<void()>& work) {
  py::gil_scoped_acquire gil;
  try {
    if (work) work();
  } catch (py::error_already_set& error) {
    error.restore();
    throw Interrupted();
  }
  if (PyErr_CheckSignals() != 0) throw Interrupted();
}

/// Runs `call` without the GIL; a pending Python exception left by a callback is raised after.
template <typename Call>
auto without_gil(Call&& call) {
  try {
    py::gil_scoped_release release;
    return call();
  } catch (const Interrupted&) {
    throw py::error_already_set();
  }
}

NumberArray number_array(const py::array& a) {
  if (!(a.flags() & py::array::c_style)) throw OptionError("arrays must be C-contiguous");
  return {a.data(), a.size(), number_type(py::str(a.dtype()))};
}

MatrixStorage storage_of(const std::string& name) {
  if (name == "csr") return MatrixStorage::csr;
  if (name == "csc") return MatrixStorage::csc;
  if (name == "dense") return MatrixStorage::dense;
  throw OptionError("storage must be csr, csc or dense, not '" + name + "'");
}

/// A dataframe column from its pandas form: categories + codes, strings, or numbers.
DataFrameColumn column(std::string name, const std::string& kind,
                       std::vector<std::string> categories, std::vector<std::int32_t> codes,
                       std::vector<std::string> strings, std::vector<double> numbers) {
  DataFrameColumn c;
  c.name = std::move(name);
  if (kind == "categorical") {
    c.kind = ColumnKind::categorical;
    c.dtype = "categorical";
    c.categorical = {std::move(categories), std::move(codes)};
  } else if (kind == "string") {
    c.kind = ColumnKind::string;
    c.dtype = "string";
    c.strings = std::move(strings);
  } else if (kind == "numeric" || kind == "boolean") {
    c.kind = kind == "numeric" ? ColumnKind::numeric : ColumnKind::boolean;
    c.dtype = kind == "numeric" ? "float64" : "bool";
    c.numbers = std::move(numbers);
  } else {
    throw OptionError("column kind must be categorical, string, numeric or boolean");
  }
  return c;
}

/// max_memory as Python gives it: None (half the machine's memory), bytes, or "4G".
std::int64_t memory_bytes(const py::handle& value) {
  if (value.is_none()) return default_max_memory();
  if (py::isinstance<py::str>(value)) {
    const auto text = value.cast<std::string>();
    if (const auto bytes = parse_memory_size(text)) return *bytes;
    throw OptionError("max_memory: expected a size like 4G or 500M, got '" + text + "'");
  }
  const auto bytes = value.cast<std::int64_t>();
  if (bytes <= 0) throw OptionError("max_memory must be positive");
  return bytes;
}

template <typename T>
std::optional<T> optional_of(const py::handle& value) {
  if (value.is_none()) return std::nullopt;
  return value.cast<T>();
}

/// Applies Python keywords to a command's settings through `setters` (option name → setter):
/// an unknown name or a value of the wrong type is an OptionError naming the command.
template <typename Settings>
void apply_keywords(
    const char* command,
    const std::map<std::string, std::function<void(Settings&, const py::handle&)>>& setters,
    const py::dict& options, Settings& settings) {
  for (const auto& [key, value] : options) {
    const auto name = std::string(py::str(key));
    const auto setter = setters.find(name);
    if (setter == setters.end()) {
      std::string known;
      for (const auto& [option, unused] : setters) known += (known.empty() ? "" : ", ") + option;
      throw OptionError(std::string(command) + ": no option '" + name +
                        "'; the options are: " + known);
    }
    try {
      setter->second(settings, value);
    } catch (const py::cast_error&) {
      throw OptionError(std::string(command) + ": " + name + " = " + std::string(py::repr(value)) +
                        " has the wrong type");
    }
  }
}

/// scgrad train's options by their Python names (underscores for dashes).
TrainSettings train_settings(const py::dict& options) {
  using Setter = std::function<void(TrainSettings&, const py::handle&)>;
  const std::map<std::string, Setter> setters = {
      {"classes", [](auto& s, auto v) { s.classes = v.template cast<std::string>(); }},
      {"label_key", [](auto& s, auto v) { s.prepare.label_key = v.template cast<std::string>(); }},
      {"matrix", [](auto& s, auto v) { s.prepare.matrix = v.template cast<std::string>(); }},
      {"min_counts",
       [](auto& s, auto v) { s.prepare.gene_filter.min_counts = v.template cast<double>(); }},
      {"min_cells",
       [](auto& s, auto v) { s.prepare.gene_filter.min_cells = v.template cast<std::int64_t>(); }},
      {"target_sum", [](auto& s, auto v) { s.target_sum = optional_of<double>(v); }},
      {"max_value", [](auto& s, auto v) { s.max_value = optional_of<double>(v); }},
      {"log_base", [](auto& s, auto v) { s.prepare.log_cpm.log_base = v.template cast<double>(); }},
      {"library_size_key",
       [](auto& s, auto v) {
         s.prepare.library_size_key = v.is_none() ? "" : v.template cast<std::string>();
       }},
      {"allow_non_counts",
       [](auto& s, auto v) { s.prepare.allow_non_integer = v.template cast<bool>(); }},
      {"model", [](auto& s, auto v) { s.model = v.template cast<std::string>(); }},
      {"hidden", [](auto& s, auto v) { s.hidden = v.template cast<std::int64_t>(); }},
      {"epochs", [](auto& s, auto v) { s.training.epochs = v.template cast<int>(); }},
      {"lr", [](auto& s, auto v) { s.training.lr = v.template cast<double>(); }},
      {"batch_size",
       [](auto& s, auto v) { s.training.batch_size = v.template cast<std::int64_t>(); }},
      {"weight_decay", [](auto& s, auto v) { s.weight_decay = optional_of<double>(v); }},
      {"test_fraction", [](auto& s, auto v) { s.test_fraction = v.template cast<double>(); }},
      {"validation_fraction",
       [](auto& s, auto v) { s.validation_fraction = optional_of<double>(v); }},
      {"patience", [](auto& s, auto v) { s.patience = optional_of<int>(v); }},
      {"lr_reductions", [](auto& s, auto v) { s.lr_reductions = optional_of<int>(v); }},
      {"class_weight", [](auto& s, auto v) { s.class_weight = optional_of<std::string>(v); }},
      {"refit", [](auto& s, auto v) { s.refit = optional_of<bool>(v); }},
      {"seed", [](auto& s, auto v) { s.seed = v.template cast<std::uint64_t>(); }},
      {"compute", [](auto& s, auto v) { s.compute = v.template cast<std::string>(); }},
      {"optimizer", [](auto& s, auto v) { s.optimizer = v.template cast<std::string>(); }},
      {"max_memory", [](auto& s, auto v) { s.max_memory = memory_bytes(v); }},
  };
  TrainSettings settings;
  settings.max_memory = default_max_memory();
  apply_keywords("train", setters, options, settings);
  return settings;
}

py::dict epoch_dict(const EpochMetrics& e) {
  py::dict row;
  for (const auto& figure : epoch_record(e)) {
    row[figure.name.c_str()] = figure.integer
                                   ? py::object(py::int_(static_cast<std::int64_t>(figure.value)))
                                   : py::object(py::float_(figure.value));
  }
  return row;
}

py::dict report_dict(const ClassificationReport& report, const std::vector<std::string>& classes) {
  py::dict d;
  d["confusion"] = report.confusion;
  py::list per_class;
  for (std::size_t c = 0; c < report.per_class.size(); ++c) {
    const auto& m = report.per_class[c];
    py::dict row;
    row["class"] = classes[c];
    row["precision"] = m.precision;
    row["recall"] = m.recall;
    row["f1"] = m.f1;
    row["support"] = m.support;
    row["predicted"] = m.predicted;
    per_class.append(row);
  }
  d["per_class"] = per_class;
  d["accuracy"] = report.accuracy;
  d["macro_f1"] = report.macro_f1;
  d["balanced_accuracy"] = report.balanced_accuracy;
  d["roc_auc"] = report.auc < 0 ? py::object(py::none()) : py::object(py::float_(report.auc));
  d["ece"] = report.ece < 0 ? py::object(py::none()) : py::object(py::float_(report.ece));
  d["ece_uncalibrated"] = report.ece_uncalibrated < 0
                              ? py::object(py::none())
                              : py::object(py::float_(report.ece_uncalibrated));
  return d;
}

/// fit on an in-memory AnnData; `progress(event, details)` (or None) hears of each stage and
/// epoch, with the GIL held.
py::dict train_source(const std::shared_ptr<const InMemoryAnnData>& data, const py::dict& options,
                      const py::object& progress) {
  const auto fit_opts = fit_options(train_settings(options));
  const auto tell = [progress](const char* event, py::dict details) {
    if (!progress.is_none()) progress(event, details);
  };
  FitCallbacks callbacks;
  callbacks.on_prepared = [&](const DataSummary& d) {
    with_python([&] {
      py::dict details;
      details["cells"] = d.cells;
      details["unlabelled_cells"] = d.unlabelled_cells;
      details["genes"] = d.genes;
      details["train_cells"] = d.train_cells;
      details["validation_cells"] = d.validation_cells;
      details["test_cells"] = d.test_cells;
      details["streaming"] = d.streaming;
      details["sparse"] = d.sparse;
      tell("prepared", details);
    });
  };
  callbacks.on_candidate = [&](const CandidateResult& c, std::size_t index, std::size_t count) {
    with_python([&] {
      py::dict details;
      details["weight_decay"] = c.weight_decay;
      details["class_weight"] = class_weight_name(c.class_weight_power);
      details["index"] = index;
      details["candidates"] = count;
      tell("candidate", details);
    });
  };
  callbacks.on_refit = [&](std::int64_t cells, double weight_decay, int epochs) {
    with_python([&] {
      py::dict details;
      details["cells"] = cells;
      details["weight_decay"] = weight_decay;
      details["epochs"] = epochs;
      tell("refit", details);
    });
  };
  callbacks.on_pass = [&](int, std::int64_t, std::int64_t) { with_python({}); };
  callbacks.training.on_batch = [&](int, std::int64_t, std::int64_t) { with_python({}); };
  callbacks.training.on_epoch = [&](const EpochMetrics& e) {
    with_python([&] { tell("epoch", epoch_dict(e)); });
  };
  const auto result = without_gil([&] { return fit(data, fit_opts, callbacks); });

  py::dict out;
  out["model"] = result.model;
  py::list epochs;
  for (const auto& e : result.selection.epochs) epochs.append(epoch_dict(e));
  out["epochs"] = epochs;
  out["best_epoch"] = result.selection.best_epoch;
  out["weight_decay"] = result.weight_decay;
  out["class_weight"] = class_weight_name(result.class_weight_power);
  out["held_out"] = result.held_out;
  auto evaluation = report_dict(result.evaluation, result.data.classes);
  evaluation["cells"] = result.held_out ? "held-out" : "training";
  out["evaluation"] = evaluation;
  py::dict data_summary;
  data_summary["cells"] = result.data.cells;
  data_summary["unlabelled_cells"] = result.data.unlabelled_cells;
  data_summary["genes"] = result.data.genes;
  data_summary["train_cells"] = result.data.train_cells;
  data_summary["validation_cells"] = result.data.validation_cells;
  data_summary["test_cells"] = result.data.test_cells;
  data_summary["test_cell_names"] = result.data.test_cell_names;
  data_summary["streaming"] = result.data.streaming;
  data_summary["sparse"] = result.data.sparse;
  out["data"] = data_summary;
  out["refit"] = result.refit.has_value();
  return out;
}

PredictOptions predict_options(const py::dict& options) {
  using Setter = std::function<void(PredictOptions&, const py::handle&)>;
  const std::map<std::string, Setter> setters = {
      {"gene_key",
       [](auto& o, auto v) { o.gene_key = v.is_none() ? "" : v.template cast<std::string>(); }},
      {"gene_map",
       [](auto& o, auto v) {
         if (!v.is_none()) o.gene_map = read_gene_map(v.template cast<std::string>());
       }},
      {"min_gene_fraction",
       [](auto& o, auto v) { o.min_gene_fraction = v.template cast<double>(); }},
      {"allow_non_counts", [](auto& o, auto v) { o.allow_non_integer = v.template cast<bool>(); }},
      {"min_confidence",
       [](auto& o, auto v) { o.min_confidence = v.is_none() ? 0.0 : v.template cast<double>(); }},
      {"unassigned_label",
       [](auto& o, auto v) { o.unassigned_label = v.template cast<std::string>(); }},
      {"max_novelty",
       [](auto& o, auto v) { o.max_novelty = v.is_none() ? 1.0 : v.template cast<double>(); }},
      {"novelty", [](auto& o, auto v) { o.novelty = v.template cast<bool>(); }},
      {"majority_by",
       [](auto& o, auto v) { o.majority_by = v.is_none() ? "" : v.template cast<std::string>(); }},
      {"majority_vote", [](auto& o, auto v) { o.over_cluster = v.template cast<bool>(); }},
      {"label_key",
       [](auto& o, auto v) { o.label_key = v.is_none() ? "" : v.template cast<std::string>(); }},
      {"majority_min_fraction",
       [](auto& o, auto v) { o.majority.min_fraction = v.template cast<double>(); }},
      {"over_cluster_resolution",
       [](auto& o, auto v) { o.over_clustering.resolution = v.template cast<double>(); }},
      {"exact_neighbours_up_to",
       [](auto& o, auto v) {
         o.over_clustering.exact_neighbours_up_to = v.template cast<std::int64_t>();
       }},
      {"seed", [](auto& o, auto v) { o.over_clustering.seed = v.template cast<std::uint64_t>(); }},
      {"max_memory", [](auto& o, auto v) { o.max_memory = memory_bytes(v); }},
  };
  PredictOptions predict;
  predict.max_memory = default_max_memory();
  apply_keywords("predict", setters, options, predict);
  return predict;
}

template <typename T>
py::array_t<T> numpy_copy(const std::vector<T>& values, std::vector<py::ssize_t> shape) {
  py::array_t<T> out(shape);
  std::copy(values.begin(), values.end(), out.mutable_data());
  return out;
}

py::dict categorical_dict(const Categorical& c) {
  py::dict d;
  d["categories"] = c.categories;
  d["codes"] = numpy_copy(c.codes, {static_cast<py::ssize_t>(c.codes.size())});
  return d;
}

py::dict predict_source(const FittedModel& model,
                        const std::shared_ptr<const InMemoryAnnData>& data,
                        const py::dict& options) {
  auto predict_opts = predict_options(options);
  predict_opts.on_block = [](std::int64_t, std::int64_t) { with_python({}); };  // Ctrl-C
  const auto results = without_gil([&] { return predict_cells(model, *data, predict_opts); });
  const auto& columns = results.columns;
  const auto cells = static_cast<py::ssize_t>(results.cell_names.size());
  const auto classes = static_cast<py::ssize_t>(columns.classes.size());
  py::dict out;
  out["classes"] = columns.classes;
  // The obs columns in order, as the program writes them: (name, categorical dict or array).
  py::list obs;
  for (const auto& column : obs_columns(columns)) {
    obs.append(py::make_tuple(column.name, column.categorical
                                               ? py::object(categorical_dict(column.categories))
                                               : py::object(numpy_copy(column.numbers, {cells}))));
  }
  out["obs"] = obs;
  out["probabilities"] = numpy_copy(columns.probabilities, {cells, classes});
  out["model_genes"] = results.model_genes;
  out["missing_genes"] = results.missing_genes;
  out["summed_genes"] = results.summed_genes;
  out["unassigned"] = results.unassigned;
  out["novel"] = results.novel;
  out["empty_cells"] = results.empty_cells;
  if (results.evaluation) {
    py::dict evaluation = report_dict(*results.evaluation, columns.classes);
    evaluation["cells"] = results.evaluated_cells;
    evaluation["cells_without_known_label"] = results.cells_without_known_label;
    out["evaluation"] = evaluation;
  }
  return out;
}

py::dict ranked_markers(const FittedModel& model, std::int64_t top) {
  const auto ranked = marker_genes(model, top);
  py::dict out;
  out["source"] = marker_source(model) == MarkerSource::weights ? "weights" : "gradient_x_input";
  py::list per_class;
  for (const auto& genes : ranked) {
    py::list rows;
    for (const auto& g : genes) rows.append(py::make_tuple(g.gene, g.score));
    per_class.append(rows);
  }
  out["markers"] = per_class;
  return out;
}

}  // namespace

/// A dataframe column for Python: ("categorical", categories, codes), ("numeric", values) or
/// ("string", values).
py::tuple column_for_python(const DataFrameColumn& column) {
  if (column.kind == ColumnKind::categorical) {
    return py::make_tuple(
        "categorical", column.categorical.categories,
        py::array_t<std::int32_t>(static_cast<py::ssize_t>(column.categorical.codes.size()),
                                  column.categorical.codes.data()));
  }
  if (column.kind == ColumnKind::string) return py::make_tuple("string", column.strings);
  return py::make_tuple(
      column.kind == ColumnKind::boolean ? "boolean" : "numeric",
      py::array_t<double>(static_cast<py::ssize_t>(column.numbers.size()), column.numbers.data()));
}

/// Every cell of `path` (any format open_anndata reads, labels joined from `labels` when given)
/// as the parts of an AnnData: X as CSR arrays, obs and var names and columns.
py::dict read_cells(const std::string& path, const std::string& labels, std::int64_t max_memory,
                    const std::string& matrix) {
  struct Read {
    std::shared_ptr<const AnnDataSource> cells;
    std::string key;
    CsrMatrix x;
    std::vector<DataFrameColumn> obs, var;
  };
  auto read = without_gil([&] {
    Read r;
    r.cells = with_labels(open_anndata(path, max_memory), labels);
    r.key = r.cells->resolve_matrix_key(matrix);
    std::vector<std::int64_t> rows(static_cast<std::size_t>(r.cells->n_obs()));
    for (std::size_t i = 0; i < rows.size(); ++i) rows[i] = static_cast<std::int64_t>(i);
    r.x = r.cells->read_rows(r.key, rows);
    for (const auto& name : r.cells->obs_column_names()) r.obs.push_back(r.cells->obs_column(name));
    for (const auto& name : r.cells->var_column_names(r.key)) {
      r.var.push_back(r.cells->var_column(name, r.key));
    }
    return r;
  });
  py::dict out;
  const auto& x = read.x;
  out["data"] = py::array_t<float>(static_cast<py::ssize_t>(x.data.size()), x.data.data());
  out["indices"] =
      py::array_t<std::int32_t>(static_cast<py::ssize_t>(x.indices.size()), x.indices.data());
  out["indptr"] =
      py::array_t<std::int64_t>(static_cast<py::ssize_t>(x.indptr.size()), x.indptr.data());
  out["shape"] = py::make_tuple(x.n_rows, x.n_cols);
  out["obs_names"] = read.cells->obs_names();
  out["var_names"] = read.cells->var_names(read.key);
  py::dict obs, var;
  for (const auto& column : read.obs) obs[column.name.c_str()] = column_for_python(column);
  for (const auto& column : read.var) var[column.name.c_str()] = column_for_python(column);
  out["obs"] = obs;
  out["var"] = var;
  return out;
}

}  // namespace scgrad::python

PYBIND11_MODULE(_scgrad, m) {
  using namespace scgrad;          // NOLINT(google-build-using-namespace)
  using namespace scgrad::python;  // NOLINT(google-build-using-namespace)
  m.doc() = "scgrad's C++ library for an AnnData in memory (use the scgrad package, not this)";

  // Registered base first: pybind11 tries the most recent registration first.
  static py::exception<Error> error(m, "Error", PyExc_RuntimeError);
  static py::exception<InputError> input_error(m, "InputError", PyExc_ValueError);
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const InputError& e) {
      input_error(e.what());
    } catch (const OptionError& e) {
      PyErr_SetString(PyExc_ValueError, e.what());
    } catch (const Error& e) {
      error(e.what());
    }
  });

  py::class_<InMemoryAnnData, std::shared_ptr<InMemoryAnnData>>(m, "AnnDataSource")
      .def(py::init<std::string, std::vector<std::string>, std::vector<std::string>>(),
           py::arg("name"), py::arg("obs_names"), py::arg("obs_column_names"))
      .def(
          "add_obs_column",
          [](InMemoryAnnData& self, std::string name, const std::string& kind,
             std::vector<std::string> categories, std::vector<std::int32_t> codes,
             std::vector<std::string> strings, std::vector<double> numbers) {
            self.add_obs_column(column(std::move(name), kind, std::move(categories),
                                       std::move(codes), std::move(strings), std::move(numbers)));
          },
          py::arg("name"), py::arg("kind"), py::arg("categories"), py::arg("codes"),
          py::arg("strings"), py::arg("numbers"))
      .def(
          "set_var",
          [](InMemoryAnnData& self, const std::string& key, std::vector<std::string> names,
             std::vector<std::string> column_names, const py::list& columns) {
            std::vector<DataFrameColumn> given;
            for (const auto& c : columns) {
              const auto t = c.cast<py::tuple>();
              given.push_back(column(
                  t[0].cast<std::string>(), t[1].cast<std::string>(),
                  t[2].cast<std::vector<std::string>>(), t[3].cast<std::vector<std::int32_t>>(),
                  t[4].cast<std::vector<std::string>>(), t[5].cast<std::vector<double>>()));
            }
            self.set_var(key, std::move(names), std::move(column_names), std::move(given));
          },
          py::arg("key"), py::arg("names"), py::arg("column_names"), py::arg("columns"))
      .def(
          "add_matrix",
          [](InMemoryAnnData& self, const std::string& key, const std::string& storage,
             std::int64_t n_rows, std::int64_t n_cols, const py::array& values,
             const py::object& indices, const py::object& indptr) {
            BorrowedMatrix matrix;
            matrix.storage = storage_of(storage);
            matrix.n_rows = n_rows;
            matrix.n_cols = n_cols;
            matrix.values = number_array(values);
            if (matrix.storage != MatrixStorage::dense) {
              matrix.indices = number_array(indices.cast<py::array>());
              matrix.indptr = number_array(indptr.cast<py::array>());
            }
            self.add_matrix(key, matrix);
          },
          // The source reads these buffers later: they live as long as it does.
          py::keep_alive<1, 6>(), py::keep_alive<1, 7>(), py::keep_alive<1, 8>(), py::arg("key"),
          py::arg("storage"), py::arg("n_rows"), py::arg("n_cols"), py::arg("values"),
          py::arg("indices") = py::none(), py::arg("indptr") = py::none())
      .def("declare_matrices", &InMemoryAnnData::declare_matrices, py::arg("keys"))
      .def("resolve_matrix_key", &InMemoryAnnData::resolve_matrix_key, py::arg("key"))
      .def_property_readonly("matrix_keys", &InMemoryAnnData::matrix_keys);

  py::class_<FittedModel>(m, "FittedModel")
      .def_property_readonly("classes", [](const FittedModel& f) { return f.classes; })
      .def_property_readonly("genes", [](const FittedModel& f) { return f.genes(); })
      .def_property_readonly("spec", [](const FittedModel& f) { return f.spec; })
      .def_property_readonly("model", [](const FittedModel& f) { return f.model; })
      .def_property_readonly("label_key", [](const FittedModel& f) { return f.label_key; })
      .def_property_readonly("temperature", [](const FittedModel& f) { return f.temperature; })
      .def_property_readonly("matrix", [](const FittedModel& f) { return f.preprocessing.matrix; })
      .def_property_readonly("library_size_key",
                             [](const FittedModel& f) { return f.preprocessing.library_size_key; })
      .def_property_readonly("path", [](const FittedModel& f) { return f.path; })
      .def_property_readonly("training_numbers",
                             [](const FittedModel& f) { return f.training_numbers; })
      .def_property_readonly("training_strings",
                             [](const FittedModel& f) { return f.training_strings; })
      .def("save",
           [](const FittedModel& f, const std::string& path) { write_model_file(path, f); });

  m.def("load", &read_model_file, py::arg("path"));
  m.def("read", &read_cells, py::arg("path"), py::arg("labels") = "",
        py::arg("max_memory") = std::int64_t{1} << 62, py::arg("matrix") = "X");
  m.def("train", &train_source, py::arg("data"), py::arg("options"),
        py::arg("progress") = py::none());
  m.def("predict", &predict_source, py::arg("model"), py::arg("data"), py::arg("options"));
  m.def("prediction_obs_columns", &prediction_obs_columns);
  m.def("markers", &ranked_markers, py::arg("model"), py::arg("top") = 20);
  m.def("set_threads", &set_compute_threads, py::arg("threads"),
        "torch's, OpenMP's and OpenBLAS's threads, for the whole process");
  m.def("available_cores", &available_cores);
  m.def("train_defaults", [] {
    const TrainSettings defaults;
    py::dict d;
    d["label_key"] = defaults.prepare.label_key;
    d["matrix"] = defaults.prepare.matrix;
    d["epochs"] = defaults.training.epochs;  // the most a run trains (progress bars)
    return d;
  });
}

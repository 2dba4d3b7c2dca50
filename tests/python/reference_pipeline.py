#!/usr/bin/env python3
"""The exercise's pipeline in PyTorch, written as the exercise writes it, with scgrad's
documented conventions (the README's "Conventions") for the steps the exercise leaves open.

Independent of scgrad: reads the file with anndata, preprocesses with numpy/scipy, trains
with torch. Prints JSON: per-epoch losses and accuracies, final loss and accuracy.
Run with Debian's /usr/bin/python3 (python3-torch, python3-anndata).
"""
import argparse
import json

import anndata
import numpy as np
import scipy.sparse as sp
import torch
import torch.nn as nn
import torch.optim as optim


def scale(x):
    m = x.mean(axis=0, keepdim=True)
    s = x.std(axis=0, unbiased=False, keepdim=True)
    s[s == 0] = 1  # scgrad's convention for constant genes (never NaN)
    x -= m
    x /= s
    return x


class SimpleModel(nn.Module):
    def __init__(self, input_dim):
        super(SimpleModel, self).__init__()
        self.linear1 = nn.Linear(input_dim, 1)
        self.sigmoid = nn.Sigmoid()

    def forward(self, x):
        x = self.linear1(x)
        x = self.sigmoid(x)
        return x


class TwoLayerModel(nn.Module):
    def __init__(self, input_dim, hidden=50):
        super(TwoLayerModel, self).__init__()
        self.linear1 = nn.Linear(input_dim, hidden)
        self.sigmoid1 = nn.Sigmoid()
        self.linear2 = nn.Linear(hidden, 1)
        self.sigmoid2 = nn.Sigmoid()

    def forward(self, x):
        x = self.sigmoid1(self.linear1(x))
        return self.sigmoid2(self.linear2(x))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("file")
    p.add_argument("--classes", required=True)
    p.add_argument("--label-key", default="author_cell_type")
    p.add_argument("--model", default="logistic", choices=["logistic", "mlp"])
    p.add_argument("--hidden", type=int, default=50)
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--lr", type=float, default=1e-4)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--min-counts", type=float, default=10)
    p.add_argument("--target-sum", type=float, default=1e6)
    a = p.parse_args()
    classes = a.classes.split(",")

    data = anndata.read_h5ad(a.file)
    data = data[data.obs[a.label_key].apply(lambda x: x in classes)]
    counts = sp.csr_matrix(data.X, dtype=np.float64)
    keep = np.asarray(counts.sum(axis=0)).ravel() >= a.min_counts
    counts = counts[:, keep]
    lib = np.asarray(counts.sum(axis=1)).ravel()
    factor = np.divide(a.target_sum, lib, out=np.zeros_like(lib), where=lib > 0)
    logcpm = sp.diags(factor) @ counts
    logcpm.data = np.log1p(logcpm.data)

    X = torch.Tensor(logcpm.astype(np.float32).todense())
    Y = torch.Tensor(np.array([[0 + (x == classes[0]) for x in data.obs[a.label_key]]])).transpose(0, 1)
    X = scale(X)

    torch.manual_seed(a.seed)
    model = SimpleModel(X.shape[1]) if a.model == "logistic" else TwoLayerModel(X.shape[1], a.hidden)
    criterion = nn.BCELoss()
    optimizer = optim.Adam(model.parameters(), lr=a.lr)

    def accuracy(outputs):
        return (((outputs > 0.5) + 0) == Y).sum().item() / Y.shape[0]

    losses, accuracies = [], []
    for epoch in range(a.epochs):
        model.train()
        optimizer.zero_grad()
        outputs = model(X)
        loss = criterion(outputs, Y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        accuracies.append(accuracy(outputs))
    model.eval()
    with torch.no_grad():
        outputs = model(X)
        final = {"train_loss": criterion(outputs, Y).item(), "train_accuracy": accuracy(outputs)}
    print(json.dumps({"cells": X.shape[0], "genes": X.shape[1], "losses": losses,
                      "accuracies": accuracies, "final": final}))


if __name__ == "__main__":
    main()

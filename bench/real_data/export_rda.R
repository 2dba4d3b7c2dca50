# Writes one count matrix and its cell labels from an R data file as Matrix Market + TSV, for
# build_datasets.py. usage: Rscript export_rda.R FILE.rda KIND OUTDIR
#   KIND fastTopics_pbmc_facs: the list pbmc_facs (counts: cells x genes, samples$celltype)
#   KIND seurat_counts: the one Seurat object in FILE (RNA counts, every meta.data column)
suppressMessages(library(Matrix))
args <- commandArgs(TRUE)
file <- args[1]; kind <- args[2]; out <- args[3]
dir.create(out, showWarnings = FALSE, recursive = TRUE)
e <- new.env()
names <- load(file, envir = e)
if (kind == "fastTopics_pbmc_facs") {
  d <- get("pbmc_facs", e)
  counts <- t(d$counts)  # genes x cells
  genes <- as.character(d$genes$symbol)
  cells <- as.character(d$samples$barcode)
  meta <- data.frame(cell_type = as.character(d$samples$celltype))
} else if (kind == "seurat_counts") {
  suppressMessages(library(SeuratObject))
  d <- get(names[1], e)
  counts <- GetAssayData(d, slot = "counts")
  genes <- rownames(counts)
  cells <- colnames(counts)
  meta <- d@meta.data
} else stop("unknown kind ", kind)
writeMM(as(counts, "CsparseMatrix"), file.path(out, "matrix.mtx"))
writeLines(genes, file.path(out, "genes.txt"))
writeLines(cells, file.path(out, "cells.txt"))
write.table(meta, file.path(out, "meta.tsv"), sep = "\t", quote = FALSE, row.names = FALSE)

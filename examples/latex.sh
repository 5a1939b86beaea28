#!/usr/bin/env bash
# LaTeX for a paper: the symbolic result, the exact values at a point, and a document.
set -euo pipefail

# Symbolic only (no torch): subscripts and Greek letters as LaTeX writes them.
derivcli grad "x_1^2*sin(alpha)" --format latex

# At a point, into a file: the exact values as a display, torch's check as a comment.
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
derivcli hessian "sin(x)*y" --at x=0,y=1 --format latex --output "$dir/hessian.tex"
grep -F '\left. H_{f}' "$dir/hessian.tex"
grep '^% at' "$dir/hessian.tex"

# The fragment needs amsmath; compiled where a LaTeX engine is installed.
printf '%s\n' '\documentclass{article}' '\usepackage{amsmath}' '\begin{document}' \
  '\input{hessian.tex}' '\end{document}' >"$dir/paper.tex"
if command -v pdflatex >/dev/null; then
  (cd "$dir" && pdflatex -interaction=nonstopmode -halt-on-error paper.tex >/dev/null)
  echo "paper.pdf: compiled"
else
  echo "paper.tex: ready for pdflatex (none here)"
fi

# Many points are for csv, jsonl, npy or plain: latex says so, exit status 2.
status=0
derivcli grad "x*y" --grid x=0:1:3,y=0:1:2 --format latex 2>"$dir/error" || status=$?
echo "grid: exit $status: $(cat "$dir/error")"

#!/usr/bin/env bash
# Before/after benchmarks of issue 14: the tree at 59171f9 (before) and at 890fd6b (after), alternated in
# rounds on the same machine state.
set -u
PY=${PY:-$PWD/.venv/bin/python}  # run from the checkout whose venv has the dependencies
TREES=${TREES:-/work/wt}       # holds the worktrees before/ (59171f9) and after/ (890fd6b)
OUT=/tmp/bench_ab; mkdir -p $OUT
for round in 1 2; do
  for tree in before after; do
    cd $TREES/$tree
    export PYTHONPATH=$TREES/$tree
    echo "=== round $round $tree records $(date +%T)" >> $OUT/log
    timeout 1800 $PY bench/records_speed.py --rows 200000 --formats xlsx --workdir /tmp/bench_ab/rec_$tree > $OUT/records_${tree}_$round.txt 2>&1
    echo "=== round $round $tree search $(date +%T)" >> $OUT/log
    timeout 2400 $PY bench/search_scale.py --pages 100000 --dir /tmp/bench_ab/search_$tree > $OUT/search_${tree}_$round.txt 2>&1
    echo "=== round $round $tree ingest $(date +%T)" >> $OUT/log
    timeout 2400 $PY bench/ingest_speed.py --pdfs 200 --repeat 1 --big-mb 256 --files 2000 --total-gb 0.5 --work /tmp/bench_ab/ing_$tree > $OUT/ingest_${tree}_$round.txt 2>&1
  done
done
echo "=== done $(date +%T)" >> $OUT/log

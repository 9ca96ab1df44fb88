# Sourced by the comparison scripts: sets PY to a Python 3 that imports every module named in
# PY_NEEDS (space-separated, e.g. "torch numpy"; unset or empty: any Python 3). Tries $PYTHON
# alone when it is set, else `python3` on the PATH, then /usr/bin/python3 (Debian's, where
# python3-torch and python3-numpy install; a pyenv or venv `python3` often lacks them). Exits
# with one line naming the calling script and what each candidate lacks when none fits.
# Plain strings rather than arrays, so that it also runs on macOS's bash 3.2 under `set -u`.
_fp_missing() {   # prints the modules of PY_NEEDS that $1 cannot import; fails if $1 does not run
  "$1" -c '
import sys
if sys.version_info[0] < 3:
    sys.exit(1)
bad = []
for m in sys.argv[1:]:
    try:
        __import__(m)
    except Exception:
        bad.append(m)
print(" ".join(bad))' ${PY_NEEDS:-} 2>/dev/null
}
_fp_try() {   # sets PY to $1 if it fits, else adds what is wrong with it to _fp_tried
  local p miss
  if ! p=$(command -v "$1" 2>/dev/null); then
    _fp_tried="$_fp_tried; $1: not found"
  elif ! miss=$(_fp_missing "$p"); then
    _fp_tried="$_fp_tried; $1: not a working Python 3"
  elif [[ -n "$miss" ]]; then
    [[ "$p" == "$1" ]] || p="$1 ($p)"
    _fp_tried="$_fp_tried; $p lacks $miss"
  else
    PY=$p
  fi
}
PY=
_fp_tried=
if [[ -n "${PYTHON:-}" ]]; then
  _fp_try "$PYTHON"
else
  _fp_try python3
  [[ -n "$PY" ]] || _fp_try /usr/bin/python3
fi
if [[ -z "$PY" ]]; then
  if [[ -n "${PY_NEEDS:-}" ]]; then
    echo "$(basename "$0"): no Python 3 with $PY_NEEDS found (${_fp_tried#; }); set PYTHON to one that has them (Debian: apt install python3-torch python3-numpy)" >&2
  else
    echo "$(basename "$0"): no Python 3 found (${_fp_tried#; }); set PYTHON to one" >&2
  fi
  exit 1
fi
# numpy and torch multiply through whatever libblas.so.3 the system links them to; Debian's
# default without OpenBLAS is the reference BLAS, 20-50x slower, which would make every ratio
# against them meaningless. Which library a matmul actually loaded is read from the process's
# memory map (Linux only; elsewhere the check is skipped).
case " ${PY_NEEDS:-} " in
  *" numpy "*|*" torch "*)
    _fp_blas=$("$PY" -c '
import os, sys
try:
    import numpy
    a = numpy.ones((64, 64), dtype=numpy.float32); a @ a
except Exception:
    pass
try:
    import torch
    b = torch.ones(64, 64); b @ b
except Exception:
    pass
if not os.path.exists("/proc/self/maps"):
    sys.exit(0)
# libblas.so.3 is what both link to for their products: the reference one lives in a plain
# blas/ directory, an optimised one under its own name (openblas-pthread/, blis-openmp/, ...).
libs = set(l.split()[-1] for l in open("/proc/self/maps") if "/libblas.so" in l)
ref = [p for p in libs if not any(k in p.lower() for k in ("openblas", "mkl", "blis", "atlas", "accelerate"))]
if ref:
    print(", ".join(sorted(ref)))' 2>/dev/null)
    if [[ -n "$_fp_blas" ]]; then
      echo "$(basename "$0"): $PY multiplies matrices with the reference BLAS ($_fp_blas), 20-50x slower than OpenBLAS: a comparison against it would mean nothing; install OpenBLAS (Debian: apt install libopenblas0-pthread) or set PYTHON to a Python whose numpy/torch use it" >&2
      exit 1
    fi
    unset _fp_blas;;
esac
unset _fp_tried; unset -f _fp_try _fp_missing

"""The numba decorator of the solver's compiled modules (the `*_kernel.py` files) and their array types.

Why a decorator of our own: numba keys a compiled function's disk cache on the hash of that function's
file only, yet a kernel's compiled code also contains the kernels it calls, from other files. An edit
there would leave a stale cache. So `kernel` stamps every kernel with the hash of all the kernel files
together: an edit of any one recompiles them all (about half a minute), and stale code cannot run. Should
numba's cache internals ever differ from what this expects, the kernels keep no disk cache rather than
risk stale code.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from numba import njit, types
from numba.core import typeinfer
from numba.core.caching import NullCache

# Array types of the explicit signatures: a kernel with one is compiled once, at import (or loaded from
# the disk cache), instead of once per literal argument.
I, A1, A2, B1 = types.int64, types.int64[::1], types.int64[:, ::1], types.boolean[::1]
# A level's fixed facts: (distance table, solid cells, frozen blocks, width, last x, last y).
GEO = types.Tuple((A2, B1, B1, I, I, I))

_KERNEL_FILES = sorted(Path(__file__).parent.glob("*_kernel.py"))
_STAMP = hashlib.sha256(b"".join(path.read_bytes() for path in _KERNEL_FILES)).hexdigest()


def kernel(signature=None):
    """numba's njit with a disk cache stamped by all the kernel files; with a signature, compiled now."""
    def wrap(func):
        dispatcher = njit(cache=True)(func)
        cache_file = getattr(getattr(dispatcher, "_cache", None), "_cache_file", None)
        if cache_file is not None and hasattr(cache_file, "_source_stamp"):
            cache_file._source_stamp = (cache_file._source_stamp, _STAMP)
        else:
            dispatcher._cache = NullCache()
        if signature is not None:
            # As numba's own decorator does: a recursive kernel finds itself before the name is bound.
            with typeinfer.register_dispatcher(dispatcher):
                dispatcher.compile(signature)
            dispatcher.disable_compile()
        return dispatcher
    return wrap

"""torch: the lowering of expressions to straight-line programs, the function lowerings,
and the autograd and symbolic engines."""

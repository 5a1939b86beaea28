"""Second-order quantities along a vector, done right and checked: the Hessian-vector
product without the Hessian, the directional derivative, J.v and u.J."""

import numpy as np

import derivcli

# H.v of a 50-variable Rosenbrock function at one point: 50 entries, each exact and
# checked, where the Hessian would have 2,500.
n = 50
rosenbrock = " + ".join(f"100*(x{i + 1} - x{i}^2)^2 + (1 - x{i})^2" for i in range(n - 1))
names = [f"x{i}" for i in range(n)]
point = {name: 1 + (k % 3) / 10 for k, name in enumerate(names)}
v = [(k % 5) - 2 for k in range(n)]
product = derivcli.hvp(rosenbrock, point, wrt=names, vector=v)
print("H.v entries:", len(product.results[0].numeric), "all agree:", product.agree)

# The same product from the whole Hessian, for comparison: equal to within rounding.
hessian = np.array(derivcli.hessian(rosenbrock, point, wrt=names).results[0].numeric)
difference = np.max(np.abs(hessian @ v - product.results[0].numeric))
print("largest difference from H @ v:", difference)

# At 10,000 points at once, in memory of the order of the points times n.
points = 1 + 0.1 * np.random.default_rng(0).standard_normal((10_000, n))
many = derivcli.evaluate("hvp", rosenbrock, points, wrt=names, vector=v)
print("at many points:", many.shape)

# The directional derivative of x^2*y along (1, 2), made a unit vector: 4/sqrt(5).
slope = derivcli.directional("x^2*y", {"x": 1, "y": 1}, vector="1,2").results[0]
print("directional:", slope.exact, slope.numeric)

# J.v and u.J of a map from the plane to the plane.
print("J.v:", derivcli.jvp("x*y, x+y^2", "x=2,y=3", vector="1,0").results[0].numeric)
print("u.J:", derivcli.vjp("x*y, x+y^2", "x=2,y=3", vector="1,1").results[0].numeric)

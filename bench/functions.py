"""The benchmark's functions, written once for torch, JAX and sympy (m is the module).

v is a vector of the variables: a tensor or array for torch and JAX, a tuple of
symbols for sympy.
"""


def sin_y(v, m):
    return m.sin(v[0]) * v[1]


def mix3(v, m):
    x, y, z = v[0], v[1], v[2]
    return m.exp(x * y) * m.log(1 + z**2) + m.sqrt(x**2 + y**2 + z**2) * m.cos(x - z)


def rosenbrock(v, m):
    if isinstance(v, tuple):
        return sum(100 * (v[i + 1] - v[i] ** 2) ** 2 + (1 - v[i]) ** 2 for i in range(len(v) - 1))
    return (100 * (v[1:] - v[:-1] ** 2) ** 2 + (1 - v[:-1]) ** 2).sum()


# name -> (the function above, derivcli's text, number of variables)
FUNCTIONS = {
    "sin(x)*y": (sin_y, "sin(x)*y", 2),
    "exp/log/sqrt/cos, 3 variables": (
        mix3,
        "exp(x*y)*log(1 + z^2) + sqrt(x^2 + y^2 + z^2)*cos(x - z)",
        3,
    ),
    "Rosenbrock, 10 variables": (
        rosenbrock,
        " + ".join(f"100*(x{i + 1} - x{i}^2)^2 + (1 - x{i})^2" for i in range(1, 10)),
        10,
    ),
}

# Your own expression: change it and press Run (or Ctrl+Enter).
from autograd import Value
from viz import draw, explain

x = Value(2.0, "x")
y = Value(-1.0, "y")
f = (x * y + x.exp()).sin() / (y * y + 1)
f.label = "f"
f.backward()
print(f"f = {f.data:.6f}   ∂f/∂x = {x.grad:.6f}   ∂f/∂y = {y.grad:.6f}")
show(draw(f))
explain(f)

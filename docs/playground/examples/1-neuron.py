# A neuron: o = tanh(x1·w1 + x2·w2 + b), as in micrograd's video.
from autograd import Value
from viz import draw, explain

x1, x2 = Value(2.0, "x1"), Value(0.0, "x2")
w1, w2 = Value(-3.0, "w1"), Value(1.0, "w2")
b = Value(6.8813735870195432, "b")
o = (x1 * w1 + x2 * w2 + b).tanh()
o.label = "o"
o.backward()
print(f"o = {o.data:.4f}   ∂o/∂w1 = {w1.grad:.4f}   ∂o/∂x1 = {x1.grad:.4f}")

show(explain(o))  # the chain rule, one step per edge
draw(o)  # the last line's value is shown too

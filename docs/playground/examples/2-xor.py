# The notes' 2-2-1 sigmoid network, trained on XOR.
from nn import MLP, SGD, fit, squared_error, xor
from viz import chain_rule, draw, step_through

model = MLP(2, [2, 1])
L = squared_error(model([1.0, 0.0]), [1.0])  # the loss on one sample
L.backward()
show(draw(L))  # every quantity of the notes, with its value and its gradient
show(chain_rule(L, keep="S"))  # the tree of δ's

history = fit(model, xor(), squared_error, SGD(model.parameters(), lr=2.0), 2000, progress=False)
print(f"loss {history[0]:.4f} -> {history[-1]:.6f}")
for x, t in xor():
    print(x, t, round(model(x)[0].data, 3))

# one more training step on one sample, step by step: next, previous, or the arrow keys
L = squared_error(model([1.0, 0.0]), [1.0])
step_through(L, lr=2.0, parameters=model.parameters())

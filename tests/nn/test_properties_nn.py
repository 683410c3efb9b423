"""Random networks: the engine's gradients are the notes' delta rule, and SGD is its update rule.

``nn.delta_rule`` computes the notes' equations (13)-(22) on plain floats; the
engine walks the graph of the same network. They compute the same sums and
products, possibly in a different order, so they agree up to rounding. The
networks have at most 4 layers of at most 4 units and weights, inputs and
targets of size at most 3, so rounding (a few U per operation, U = 2**-53) is
amplified by at most a few thousand along any path: every comparison allows
1e-10 of the largest magnitude its kind of quantity reaches in the network.
"""

from __future__ import annotations

from hypothesis import assume, given
from hypothesis import strategies as st
from strategies import Network, finite_floats, networks

from nn import SGD, Backprop, delta_rule, squared_error, weight_name

REL = 1e-10
TINY = 2.0**-1022  # below the smallest normal float, results keep no relative accuracy


def derivative_of_activation(activation: str, s: float, x: float) -> float:
    """φ'(S) from S and x = φ(S), with plain math."""
    if activation == "sigmoid":
        return x * (1.0 - x)
    if activation == "tanh":
        return 1.0 - x * x
    if activation == "relu":
        return 1.0 if s > 0.0 else 0.0
    return 1.0  # linear


def scales(net: Network, p: dict[str, float], bp: Backprop) -> tuple[float, float]:
    """(forward, backward): how large the numbers of ``net`` with parameters ``p`` get.

    forward: 1 + the largest Σ_i |w_ij x_i| + |b_j| of any unit.
    backward: the largest M_j^(k), a bound of the terms δ_j^(k) is summed from:
    M_j^(K) = (|y_j| + |t_j|)(|φ'| + 8U) at the output, and
    M_i^(k) = (|φ'(S_i^(k))| + 8U) Σ_j |w_ij^(k+1)| M_j^(k+1) below (8U: the
    absolute error of σ' and tanh' where they round to 0).
    """
    sizes = [net.n_in, *net.layer_sizes]
    K = len(net.layer_sizes)
    forward = 1.0
    for k in range(1, K + 1):
        for j in range(1, sizes[k] + 1):
            terms = [
                abs(p[weight_name(i, j, k)] * bp.x[f"x_{i}^({k - 1})"])
                for i in range(1, sizes[k - 1] + 1)
            ]
            forward = max(forward, 1.0 + sum(terms) + abs(p[f"b_{j}^({k})"]))

    def phi_prime(k: int, j: int) -> float:
        d = derivative_of_activation(
            net.activation_of(k), bp.S[f"S_{j}^({k})"], bp.x[f"x_{j}^({k})"]
        )
        return abs(d) + 8 * 2.0**-53

    M = {
        j: (abs(bp.y[j - 1]) + abs(net.t[j - 1])) * phi_prime(K, j) for j in range(1, sizes[K] + 1)
    }
    backward = max(M.values())
    for k in range(K - 1, 0, -1):
        M = {
            i: phi_prime(k, i) * sum(abs(p[weight_name(i, j, k + 1)]) * M[j] for j in M)
            for i in range(1, sizes[k] + 1)
        }
        backward = max(backward, *M.values())
    return forward, backward


def assume_no_relu_kink_within_rounding(net: Network, bp: Backprop, forward: float) -> None:
    # relu' jumps at S = 0: where S is within rounding of 0, the two sides may
    # legitimately take different sides of the kink (such draws are rare)
    for k in range(1, len(net.layer_sizes) + 1):
        if net.activation_of(k) == "relu":
            for j in range(1, net.layer_sizes[k - 1] + 1):
                assume(abs(bp.S[f"S_{j}^({k})"]) > 1e-9 * forward)


def check(got: float, want: float, allowed: float, what: str) -> None:
    allowed = max(allowed, TINY)
    assert abs(got - want) <= allowed, (
        f"{what}: engine {got!r}, delta rule {want!r}, difference {got - want!r} "
        f"(allowed {allowed:.3g})"
    )


@given(networks())
def test_autograd_equals_the_delta_rule(net: Network) -> None:
    model = net.build()
    x, t = list(net.x), list(net.t)
    bp = delta_rule(model, x, t)
    forward, backward = scales(net, net.parameters, bp)
    assume_no_relu_kink_within_rounding(net, bp, forward)

    nodes = model.named_nodes(x)
    K = len(net.layer_sizes)
    outputs = [nodes[f"x_{j}^({K})"] for j in range(1, net.layer_sizes[-1] + 1)]
    loss = squared_error(outputs, t)
    loss.backward()

    # the forward pass: every S_j^(k), x_j^(k), the outputs and the loss
    for name, value in (*bp.S.items(), *bp.x.items()):
        check(nodes[name].data, value, REL * forward, name)
    for j, (y, want) in enumerate(zip(outputs, bp.y, strict=True), start=1):
        check(y.data, want, REL * forward, f"y_{j}")
    check(loss.data, bp.loss, REL * forward * forward, "L")
    # (4): δ_j^(k) = ∂L/∂S_j^(k), which backward leaves in the S node's grad
    for k in range(1, K + 1):
        for j in range(1, net.layer_sizes[k - 1] + 1):
            got = nodes[f"S_{j}^({k})"].grad
            check(got, bp.delta[f"δ_{j}^({k})"], REL * backward, f"δ_{j}^({k}) = ∂L/∂S_{j}^({k})")
    # (13), (14): ∂L/∂b_j^(k) = -δ_j^(k) and ∂L/∂w_ij^(k) = δ_j^(k) x_i^(k-1)
    for name, p in model.named_parameters():
        check(p.grad, bp.grad[name], REL * backward * forward, f"∂L/∂{name}")


@given(networks(), finite_floats(1e-3, 2.0), st.integers(1, 3))
def test_sgd_steps_are_the_notes_update_rules(net: Network, lr: float, steps: int) -> None:
    # b_j^(k) ← b_j^(k) + η δ_j^(k) and w_ij^(k) ← w_ij^(k) - η δ_j^(k) x_i^(k-1),
    # with δ and x from the delta rule, against SGD stepping on the engine's grads
    model = net.build()
    x, t = list(net.x), list(net.t)
    optimizer = SGD(model.parameters(), lr=lr)
    sizes = [net.n_in, *net.layer_sizes]
    for _ in range(steps):
        bp = delta_rule(model, x, t)
        before = model.state_dict()
        forward, backward = scales(net, before, bp)
        assume_no_relu_kink_within_rounding(net, bp, forward)
        optimizer.zero_grad()
        squared_error(model(x), t).backward()
        optimizer.step()
        after = model.state_dict()
        # the difference: η times the gradients' (REL·scales), plus the rounding
        # of the update itself (a few U of the sizes involved)
        for k in range(1, len(sizes)):
            for j in range(1, sizes[k] + 1):
                delta = bp.delta[f"δ_{j}^({k})"]
                b = f"b_{j}^({k})"
                want = before[b] + lr * delta
                allowed = lr * REL * backward + 4 * 2.0**-53 * (abs(before[b]) + abs(lr * delta))
                check(after[b], want, allowed, f"{b} after a step")
                for i in range(1, sizes[k - 1] + 1):
                    w = weight_name(i, j, k)
                    step = lr * delta * bp.x[f"x_{i}^({k - 1})"]
                    allowed = lr * REL * backward * forward + 4 * 2.0**-53 * (
                        abs(before[w]) + abs(step)
                    )
                    check(after[w], before[w] - step, allowed, f"{w} after a step")

"""PyTorch's numbers for the seed network, to check Downhill's CPU reference against.

The 2-2-1 network of the seed material (sigmoid hidden, linear output, MSE) starts from
Downhill's initial parameters for seed 42 (given exactly, as float hex) and takes row-by-row
steps on two rows with each optimiser; a BCE and a cross-entropy variant give one gradient
each. Prints one line per case: the name, then the flat parameters (or gradients) in
Downhill's layout order (0.weight, 0.bias, 2.weight, 2.bias) with 9 significant digits.
Run where PyTorch is installed: python3 seed_net_reference.py
"""
import torch
import torch.nn as nn

INITIAL = [float.fromhex(h) for h in
           "0x1.5dd2c4p-2 -0x1.ec809ap-2 -0x1.409eacp-2 -0x1.c3459ap-3 -0x1.4e807cp-1 "
           "0x1.0aa028p-1 -0x1.97caf8p-2 0x1.b35c88p-2 -0x1.cf9bf6p-3".split()]
ROWS = [([8.1, 7.4], [6.2]), ([6.5, 5.0], [3.1])]


def seed_net(outputs=1, out_act=None):
    layers = [nn.Linear(2, 2), nn.Sigmoid(), nn.Linear(2, outputs)]
    if out_act is not None:
        layers.append(out_act)
    net = nn.Sequential(*layers)
    flat = torch.tensor(INITIAL[:6] + [0.1 * (i + 1) * (-1) ** i for i in range(3 * outputs)] if outputs > 1 else INITIAL)
    with torch.no_grad():
        offset = 0
        for p in (net[0].weight, net[0].bias, net[2].weight, net[2].bias):
            p.copy_(flat[offset:offset + p.numel()].view_as(p))
            offset += p.numel()
    return net


def flat(tensors):
    return torch.cat([t.detach().reshape(-1) for t in tensors])


def show(name, values):
    print(name + ": " + " ".join(f"{v:.9g}" for v in values.tolist()), flush=True)


def steps(name, make_optimizer, count):
    net = seed_net()
    opt = make_optimizer(net.parameters())
    for s in range(count):
        x, y = ROWS[s % 2]
        opt.zero_grad()
        loss = nn.MSELoss()(net(torch.tensor([x])), torch.tensor([y]))
        loss.backward()
        opt.step()
    show(name, flat([net[0].weight, net[0].bias, net[2].weight, net[2].bias]))


def gradient(name, net, loss_fn, target):
    net.zero_grad()
    loss = loss_fn(net(torch.tensor([ROWS[0][0]])), target)
    loss.backward()
    show(name + " loss", loss.reshape(1))
    show(name + " gradient", flat([p.grad for p in (net[0].weight, net[0].bias, net[2].weight, net[2].bias)]))


torch.set_default_dtype(torch.float32)
gradient("mse", seed_net(), nn.MSELoss(), torch.tensor([ROWS[0][1]]))
gradient("bce", seed_net(out_act=nn.Sigmoid()), nn.BCELoss(), torch.tensor([[1.0]]))
gradient("cross-entropy", seed_net(outputs=3), nn.CrossEntropyLoss(), torch.tensor([2]))
steps("sgd 1 step", lambda p: torch.optim.SGD(p, lr=0.01), 1)
steps("sgd momentum 4 steps", lambda p: torch.optim.SGD(p, lr=0.01, momentum=0.9), 4)
steps("sgd nesterov weight-decay 4 steps", lambda p: torch.optim.SGD(p, lr=0.01, momentum=0.9, nesterov=True, weight_decay=0.01), 4)
steps("adam 2 steps", lambda p: torch.optim.Adam(p, lr=0.01), 2)
steps("adam l2 3 steps", lambda p: torch.optim.Adam(p, lr=0.01, betas=(0.8, 0.99), weight_decay=0.1), 3)
steps("adamw 3 steps", lambda p: torch.optim.AdamW(p, lr=0.01), 3)
steps("rmsprop 3 steps", lambda p: torch.optim.RMSprop(p, lr=0.01), 3)
steps("rmsprop momentum 3 steps", lambda p: torch.optim.RMSprop(p, lr=0.01, alpha=0.9, momentum=0.5, weight_decay=0.01), 3)
print("torch", torch.__version__)

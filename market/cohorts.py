r"""FIFO rings of stock cohorts (or orders) per seller: ``units[i, slot]`` arrived (or arrives) at ``tick[i, slot]``.

Seller :math:`i`'s ring holds ``count[i]`` entries from ``head[i]`` on, oldest first. Sales and
disposals take from the oldest cohort (first in, first out), so the ages that the long-term
storage surcharge looks at are exact.
"""


from market.jit import inner_kernel


@inner_kernel
def push(units, tick, head, count, i, amount, at):
    """Append ``amount`` units with tick ``at`` to seller ``i``'s ring (the caller sizes rings so it never fills)."""
    slot = (head[i] + count[i]) % units.shape[1]
    units[i, slot] = amount
    tick[i, slot] = at
    count[i] += 1


@inner_kernel
def total(units, head, count, i):
    r""":math:`\sum` of seller ``i``'s entries."""
    result = 0.0
    for k in range(count[i]):
        result += units[i, (head[i] + k) % units.shape[1]]
    return result


@inner_kernel
def take(units, head, count, i, amount):
    """Remove up to ``amount`` units from seller ``i``'s oldest entries on; return the units removed."""
    slots = units.shape[1]
    removed = 0.0
    while count[i] > 0 and removed < amount:
        h = head[i]
        part = min(units[i, h], amount - removed)
        units[i, h] -= part
        removed += part
        if units[i, h] <= 0.0:
            head[i] = (h + 1) % slots
            count[i] -= 1
    return removed

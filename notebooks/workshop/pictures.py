"""Pictures of luigi's work: a task's graph, and a range task's month as a calendar."""
from luigi.task import flatten


def draw_task_graph(task, ax=None):
    """The tasks behind task, drawn from their requires(): each left of the tasks that need it.

    Green boxes are complete, grey ones are not (yet).
    """
    import matplotlib.pyplot as plt

    depth, edges = {}, set()

    def visit(node, level):
        depth[node] = max(depth.get(node, 0), level)
        for requirement in flatten(node.requires()):
            edges.add((requirement, node))
            visit(requirement, level + 1)

    visit(task, 0)
    last = max(depth.values())
    columns = {}
    for node, level in depth.items():
        columns.setdefault(last - level, []).append(node)
    position = {}
    for x, nodes in columns.items():
        for i, node in enumerate(sorted(nodes, key=str)):
            position[node] = (x, (len(nodes) - 1) / 2 - i)

    tallest = max(len(nodes) for nodes in columns.values())
    if ax is None:
        ax = plt.subplots(figsize=(3.6 * (last + 1), 1.3 * tallest + 0.6))[1]
    boxes = {node: ax.text(x, y, task_label(node), ha="center", va="center", fontsize=9,
                           bbox=dict(boxstyle="round,pad=0.5", ec="0.3",
                                     fc="#c7e9c0" if node.complete() else "#e0e0e0"))
             for node, (x, y) in position.items()}
    for requirement, node in edges:  # from the right edge of a requirement to the left edge of what needs it
        ax.annotate("", xy=(0, 0.5), xycoords=boxes[node], xytext=(1, 0.5), textcoords=boxes[requirement],
                    arrowprops=dict(arrowstyle="-|>", color="0.35", shrinkA=6, shrinkB=6))
    ax.set_xlim(-0.6, last + 0.6)
    ax.set_ylim(-tallest / 2 - 0.2, tallest / 2 + 0.2)
    ax.axis("off")
    return ax


def draw_month(range_task, ax=None):
    """A range task's graph, folded into a calendar: one column per day, one row per kind of task.

    Each day's column is the chain its DatasetGen requires; green is complete, grey is not (yet).
    """
    import matplotlib.pyplot as plt

    days = sorted(flatten(range_task.requires()), key=lambda task: task.date)
    rows = ["ExternalFileChecker (spins)", "DownloadSpins", "DownloadListeners", "DatasetGen"]
    grid = []
    for task in days:
        inputs = task.requires()
        grid.append([inputs["spins"].requires().complete(), inputs["spins"].complete(),
                     inputs["listeners"].complete(), task.complete()])
    if ax is None:
        ax = plt.subplots(figsize=(max(6, 0.38 * len(days) + 3), 2.4))[1]
    for x, column in enumerate(grid):
        for y, done in enumerate(column):
            ax.add_patch(plt.Rectangle((x - 0.42, y - 0.4), 0.84, 0.8, color="#8fd18f" if done else "#d9d9d9"))
        ax.plot([x, x], [-0.4, len(rows) - 0.6], color="0.6", linewidth=0.5, zorder=0)  # each day's chain
    ax.set_xlim(-0.6, len(days) - 0.4)
    ax.set_ylim(-0.6, len(rows) - 0.4)
    ax.set_yticks(range(len(rows)), rows)
    ax.set_xticks(range(len(days)), [f"{task.date:%d}" for task in days], fontsize=8)
    ax.set_xlabel(f"{days[0].date:%B %Y}: each column requires the boxes below it (green: complete)")
    ax.set_title(f"{range_task.task_family}: {sum(column[-1] for column in grid)} of {len(days)} days done")
    return ax


def task_label(task):
    params = task.to_str_params(only_significant=True)
    if "url" in params:
        return f"{task.get_task_family()}\n{params['url'].rsplit('/', 1)[-1]}"
    return task.get_task_family() + "".join(f"\n{name}={value}" for name, value in params.items())

"""Write the `arc` suite's task file from the builders: ``python -m crm_gym.tasks.suites.arc``."""

from crm_gym.tasks.model import dump_tasks_jsonl
from crm_gym.tasks.suites.arc import build_arc_suite, suite_path

if __name__ == "__main__":
    tasks = build_arc_suite()
    dump_tasks_jsonl(tasks, suite_path())
    print(f"Wrote {len(tasks)} tasks to {suite_path()}")

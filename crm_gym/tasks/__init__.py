"""Tasks: the `Task` model, task files, and the importer of the original CRMArena-Pro tasks."""

from crm_gym.tasks.crmarena_import import load_crmarena_pro
from crm_gym.tasks.model import Task, TaskSet, dump_tasks_jsonl, load_tasks_jsonl, require_runnable

__all__ = ["Task", "TaskSet", "dump_tasks_jsonl", "load_crmarena_pro", "load_tasks_jsonl", "require_runnable"]

"""The `crmarena_pro` suite: the 22 CRMArena-Pro task categories, generated over seeded orgs."""

from crm_gym.tasks.suites.crmarena_pro.framework import GENERATORS, build_suite, category_generator

__all__ = ["GENERATORS", "build_suite", "category_generator"]

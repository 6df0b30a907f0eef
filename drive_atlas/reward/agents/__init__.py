"""Tabular agents trained with a drive module as their only reward, one small environment per drive.

qlearning (the learner), rollout (running a policy, random included), baselines (closed-form
homeostatic rewards), metrics (behaviour per drive), tasks (which of these each environment uses),
summary (per-seed reports over seeds). The comparison is ``drive_atlas.reward.train``; its command line
``drive-atlas train``.
"""

from .qlearning import QAgent, train
from .rollout import random_policy, rollout
from .tasks import TASKS, Task, task_for

__all__ = ["QAgent", "TASKS", "Task", "random_policy", "rollout", "task_for", "train"]

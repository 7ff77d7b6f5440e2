"""Vocabulary of lineage: job types, input roles, run states."""

from django.db import models

__all__ = ("InputRole", "JobType", "RunOrigin", "RunState", "MODEL_ROLES", "TERMINAL_STATES")


class JobType(models.TextChoices):
    ETL = "etl", "ETL / transformation"
    TRAINING = "training", "Training"
    FINE_TUNING = "fine_tuning", "Fine-tuning"
    TRANSFER_LEARNING = "transfer_learning", "Transfer learning"
    DISTILLATION = "distillation", "Distillation"
    QUANTISATION = "quantisation", "Quantisation"
    PRUNING = "pruning", "Pruning"
    MERGE = "merge", "Merge"
    EVALUATION = "evaluation", "Evaluation"
    ANONYMISATION = "anonymisation", "Anonymisation"
    DEPLOYMENT = "deployment", "Deployment"
    OTHER = "other", "Other"


class InputRole(models.TextChoices):
    DATA = "data", "Data"
    TRAINING_DATA = "training_data", "Training data"
    EVAL_DATA = "eval_data", "Evaluation data"
    BASE_MODEL = "base_model", "Base model"
    TEACHER_MODEL = "teacher_model", "Teacher model"
    ADAPTER = "adapter", "Adapter"
    MERGE_SOURCE = "merge_source", "Merge source"


MODEL_ROLES = frozenset({InputRole.BASE_MODEL, InputRole.TEACHER_MODEL, InputRole.ADAPTER, InputRole.MERGE_SOURCE})


class RunState(models.TextChoices):
    """OpenLineage run states; the terminal ones are never overwritten by a late START/RUNNING/OTHER."""

    NEW = "NEW", "New"
    START = "START", "Started"
    RUNNING = "RUNNING", "Running"
    COMPLETE = "COMPLETE", "Completed"
    FAIL = "FAIL", "Failed"
    ABORT = "ABORT", "Aborted"


TERMINAL_STATES = frozenset({RunState.COMPLETE, RunState.FAIL, RunState.ABORT})


class RunOrigin(models.TextChoices):
    REST = "rest", "Registered over REST"
    OPENLINEAGE = "openlineage", "OpenLineage event"
    ADMIN = "admin", "Admin"
    COMMAND = "command", "Command"

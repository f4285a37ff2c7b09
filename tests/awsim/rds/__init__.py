"""RDS: DB instances backed by real mariadbd servers, snapshots, parameter groups, tags, events.

Each API call checks AWS's rules and records the new state under the state lock;
the slow part (starting a server, a backup, a copy) runs in a background thread
that publishes status changes as it goes.  A status reads `available` only once
the real server answers.  Durations are AWS-like base seconds times the
stand-in's time scale, and never shorter than the real work.

Choices where AWS leaves room or the stand-in simplifies:
- Engines `mariadb` (10.11) and `mysql` (8.0) are both served by MariaDB 10.11.
- A restore gets the BackupRetentionPeriod its snapshot's source had (a snapshot of
  a read replica therefore restores with 0: backups and binlog off).
- No automated snapshots are taken; SnapshotType=automated lists nothing.
- Storage encryption is metadata: the bytes on disk are the same either way.
- Networks are per region; instances, snapshots and groups are one set for all regions.

Files of this package, one per subject; RDS is made of one mixin from each:

    instances.py         Create/Restore/ReadReplica/Modify/Reboot/Delete/DescribeDBInstances
    snapshots.py         Create/Copy/Delete/DescribeDBSnapshots
    parameter_groups.py  DB parameter groups, DescribeDBParameters, the parameter catalog
    network.py           VPCs, subnets, security groups, DB subnet groups, where an instance is placed
    settings.py          an instance's other settings (storage, monitoring, windows, ...), option groups
    tags.py              Add/Remove/ListTagsForResource
    events.py            DescribeEvents
    binlogs.py           binlog retention: the periodic purge of old binary logs
    control.py           the control interface's state, fixtures, reset, shutdown
    base.py              ids, tags, lookups by id or ARN, background work, events, KMS keys
"""

import threading

from .base import Base
from .binlogs import BinlogsMixin
from .control import ControlMixin
from .events import EventsMixin
from .instances import InstancesMixin
from .network import NetworkMixin
from .parameter_groups import ParameterGroupsMixin
from .settings import SettingsMixin
from .snapshots import SnapshotsMixin
from .tags import TagsMixin


class RDS(InstancesMixin, SnapshotsMixin, ParameterGroupsMixin, NetworkMixin, SettingsMixin, TagsMixin,
          EventsMixin, BinlogsMixin, ControlMixin, Base):
    """The RDS handlers: awsim.py calls the method named like the action."""

    def __init__(self, state):
        self.state = state
        self.serial = 0
        self.workers = set()         # background threads of _spawn still running
        self.workers_lock = threading.Lock()
        self.ensure_defaults("us-east-1")

"""/resampling, the address of Resample in earlier versions: opens Resample (ui/navigation.py)."""

from ui import navigation

navigation.forward("pages/resampling.py")

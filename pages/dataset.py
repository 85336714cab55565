"""/dataset, the address of Data in earlier versions: opens Data (ui/navigation.py)."""

from ui import navigation

navigation.forward("pages/dataset.py")

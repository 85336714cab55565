"""/train, the address of Train & compare in earlier versions: opens Train & compare (ui/navigation.py)."""

from ui import navigation

navigation.forward("pages/train.py")

"""/learning, the address of Learn in earlier versions: opens Learn (ui/navigation.py)."""

from ui import navigation

navigation.forward("pages/learning.py")

from imbal_core.cli import main

raise SystemExit(main())

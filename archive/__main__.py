from archive.cli import main

raise SystemExit(main())

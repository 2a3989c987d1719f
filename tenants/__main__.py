import sys

from tenants.offboard import main

sys.exit(main())

# Seed: Media Extractor / Frame Selector guide, troubleshooting: queue types (block 27), as
# given: the wrong and the two correct imports.
# WRONG: queue.Queue with multiprocessing
from multiprocessing import Process
from queue import Queue # Won't work across processes!
# CORRECT Option 1: Use multiprocessing.Queue
from multiprocessing import Process, Queue
# CORRECT Option 2: Use threading instead
import threading
from queue import Queue
# See the Best Practices reference for Anti-Pattern 4 details

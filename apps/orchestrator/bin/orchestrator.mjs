#!/usr/bin/env node
// The installed `orchestrator` command: runs the CLI bundled into one file (smaller and faster to
// load than its several hundred modules; see tooling/scripts/bundle.mjs).
import '../dist/orchestrator.mjs';

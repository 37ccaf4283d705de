#!/usr/bin/env node
// The installed `orchestrator` command: runs the built CLI.
import '../dist/cli.js';

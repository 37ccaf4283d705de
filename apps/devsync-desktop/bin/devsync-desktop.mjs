#!/usr/bin/env node
import '../dist/devsync-desktop.mjs';

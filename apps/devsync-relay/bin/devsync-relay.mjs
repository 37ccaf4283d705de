#!/usr/bin/env node
import '../dist/devsync-relay.mjs';

#!/usr/bin/env node
process.stderr.write("dis-checkpoints: not implemented yet\n");
process.exitCode = 1;

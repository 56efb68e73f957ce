#!/usr/bin/env node
process.stderr.write("dis-emulator: not implemented yet\n");
process.exitCode = 1;

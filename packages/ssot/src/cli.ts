#!/usr/bin/env node
import { runCli } from './cli/run-cli.js';

const code = await runCli(process.argv.slice(2), { cwd: process.cwd(), stdout: process.stdout, stderr: process.stderr });
// Exit as soon as the output is flushed (each callback runs after the writes before it): a
// normal exit would first free every native object left, parse trees and the resolver's caches
// included, which costs a large tree ~0.1 s and serves nothing.
process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));

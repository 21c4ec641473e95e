// `templates [--json] [--mask REGEX]... FILE|-`
// Mines the templates of a log file and prints them, most frequent first:
// "<count>\t<template>" per line, or with --json {"count", "id", "template"}.

import { isBlank } from '../model/mask.js';
import { TemplateMiner } from '../model/miner.js';
import { HeaderWarmup } from '../model/header.js';
import { MAX_LINE_CHARS } from '../model/types.js';
import { EXIT_OK, commandArgs, type CommandIo } from '../commands/args.js';
import { forEachLines, masksFrom, openInput, withOutput, writeOut } from './streams.js';

const TEMPLATES_USAGE = `usage: anomaly-detector templates [--json] [--mask REGEX]... FILE
  Prints the templates mined from FILE (- for standard input), most frequent
  first: the count, a tab, the template (variables as <*>).
  --json          one JSON object per template: {"count": N, "id": N, "template": "..."}
  --mask REGEX    extra masking rule: matches become a variable (repeatable)
`;

export async function runTemplatesCommand(args: string[], io: CommandIo): Promise<number> {
  const parsed = commandArgs('templates', TEMPLATES_USAGE, args, { json: false, mask: true }, io);
  if (typeof parsed === 'number') return parsed;
  const { options, positional, fail } = parsed;
  if (positional.length !== 1) return fail('exactly one FILE (or - for standard input) is required');
  const file = positional[0]!;
  let miner: TemplateMiner;
  try {
    miner = new TemplateMiner({ extraMasks: masksFrom(options.get('mask')) });
  } catch (err) {
    return fail((err as Error).message);
  }
  const json = options.has('json');
  return withOutput('templates', io, async (out) => {
    const input = await openInput(file, 'file', io);
    // As in training: the first lines wait until the file's header is known.
    const warmup = new HeaderWarmup(miner, (_, tok) => miner.addTokenized(tok));
    let logLines = 0;
    await forEachLines(input, file === '-' ? 'standard input' : `file '${file}'`, (lines) => {
      for (const l of lines) {
        if (!isBlank(l)) logLines++;
        warmup.push(l);
      }
    }, undefined, MAX_LINE_CHARS);
    warmup.flush();
    // templates() is sorted by count, then id: stable output for equal counts.
    let text = '';
    let listed = 0;
    for (const t of miner.templates()) {
      listed += t.count;
      text += json ? JSON.stringify({ count: t.count, id: t.id, template: t.template }) + '\n' : `${t.count}\t${t.template}\n`;
      if (text.length > 1 << 16) {
        await writeOut(io.stdout, text, out);
        text = '';
      }
    }
    await writeOut(io.stdout, text, out);
    // The miner keeps at most maxTemplates, evicting the least used: say so rather than let the
    // counts quietly cover fewer lines than the file has.
    if (listed < logLines) {
      io.stderr.write(`templates: ${logLines - listed} of ${logLines} lines belonged to templates evicted beyond the cap of ${miner.maxTemplates} (the least used); they are not listed\n`);
    }
    return EXIT_OK;
  });
}

type Write = typeof process.stdout.write;

/** Function logs go to stderr while `run` runs, so stdout carries only the CLI's result. */
export async function withStdoutOnStderr<T>(run: () => Promise<T>): Promise<T> {
  const write = process.stdout.write;
  process.stdout.write = process.stderr.write.bind(process.stderr) as Write;
  try {
    return await run();
  } finally {
    process.stdout.write = write;
  }
}

/**
 * Holds back everything written to stdout and stderr while `run` runs (the function's own logs and
 * library warnings), so the demo's story stays readable; the caller prints it when something went wrong.
 */
export async function captureOutput<T>(
  run: () => Promise<T>,
): Promise<{ value?: T; error?: unknown; output: string }> {
  const chunks: string[] = [];
  const streams = [process.stdout, process.stderr] as const;
  const writes = streams.map((stream) => stream.write);
  for (const stream of streams) {
    stream.write = ((chunk: string | Uint8Array) => {
      chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString());
      return true;
    }) as Write;
  }
  try {
    return { value: await run(), output: chunks.join('') };
  } catch (error) {
    return { error, output: chunks.join('') };
  } finally {
    streams.forEach((stream, index) => {
      stream.write = writes[index] as Write;
    });
  }
}

/** Rows under a header, columns padded to their widest cell; the last column is never padded. */
export function renderTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((width) => '─'.repeat(width))), ...rows.map(line)].join('\n');
}

/**
 * The file as a whole cannot be imported (binary, empty, no header row, a required column
 * missing, unknown kind, malformed quoting). The message is one English sentence meant for
 * the CLI; nothing was written to the database. Problems of single rows are never thrown:
 * they are listed in `ImportReport.rejected`.
 */
export class ImportFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImportFileError';
  }
}

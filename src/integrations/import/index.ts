/** CSV master-data import (CONTRACT §2): products, customers, invoices. */
export { formatImportReport } from './format-import-report';
export { type ImportCsvOptions, importCsv } from './import-csv';
export { ImportFileError } from './import-file-error';
export { IMPORT_KINDS, type ImportKind, type ImportReport, type RowRejection } from './import-report';

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import iconv from 'iconv-lite';
import type { DbHandle } from '../../../src/db/client';
import { contacts, customers, invoiceItems, invoices, products } from '../../../src/db/schema';
import { ImportFileError, type ImportKind, importCsv } from '../../../src/integrations/import';
import { dbKinds, openTestDb } from '../../support/db';

const SAMPLE = path.resolve(__dirname, '../../../../shared/eval-sample');
const OPTS = { defaultWarrantyMonths: 12 };
const csv = (...lines: string[]) => Buffer.from(`${lines.join('\n')}\n`);

describe.each(dbKinds())('importCsv on %s', (kind) => {
  let h: DbHandle;
  const run = (k: ImportKind, bytes: Buffer) => importCsv(h.db, k, bytes, OPTS);
  const sample = (k: ImportKind) => run(k, fs.readFileSync(path.join(SAMPLE, `${k}.csv`)));

  beforeEach(async () => {
    h = await openTestDb(kind);
  }, 60_000);
  afterEach(async () => {
    await h.close();
  });

  it('imports the eval sample, then re-imports it unchanged', async () => {
    expect(await sample('products')).toEqual({
      kind: 'products',
      total: 12,
      imported: 12,
      updated: 0,
      unchanged: 0,
      rejected: [],
    });
    expect(await sample('customers')).toEqual({
      kind: 'customers',
      total: 4,
      imported: 4,
      updated: 0,
      unchanged: 0,
      rejected: [],
    });
    expect(await sample('invoices')).toEqual({
      kind: 'invoices',
      total: 11,
      imported: 11,
      updated: 0,
      unchanged: 0,
      rejected: [],
    });
    for (const [k, n] of [
      ['products', 12],
      ['customers', 4],
      ['invoices', 11],
    ] as const) {
      expect(await sample(k)).toEqual({ kind: k, total: n, imported: 0, updated: 0, unchanged: n, rejected: [] });
    }

    const [door] = await h.db.select().from(products).where(eq(products.code, '615020'));
    expect(door).toMatchObject({ mask: 'BRANCO SUPREMO 15MM', weightKg: 2.6, warrantyMonths: 60, cost: null });
    const [feet] = await h.db.select().from(products).where(eq(products.code, '748043'));
    expect(feet).toMatchObject({ mask: '', weightKg: 0.4, warrantyMonths: null });

    const [store] = await h.db.select().from(customers).where(eq(customers.code, 'C2001'));
    expect(store).toMatchObject({ name: 'MADEIRA VIVA AMBIENTES LTDA', cnpj: '24680135000103' });
    const storeContacts = await h.db
      .select({ value: contacts.value, kind: contacts.kind, source: contacts.source })
      .from(contacts)
      .where(eq(contacts.customerId, store!.id));
    expect(storeContacts.sort((a, b) => a.value.localeCompare(b.value))).toEqual([
      { value: '+555532217070', kind: 'phone', source: 'import' },
      { value: '+5555996451020', kind: 'phone', source: 'import' },
      { value: 'sac@madeiraviva.com.br', kind: 'email', source: 'import' },
    ]);

    const [nf] = await h.db.select().from(invoices).where(eq(invoices.number, '245377'));
    expect(nf).toMatchObject({ issueDate: '2026-06-02', orderNumber: '91344' });
    const [nf2] = await h.db.select().from(invoices).where(eq(invoices.number, '245110'));
    expect(nf2).toMatchObject({ issueDate: '2026-09-14', customerId: store!.id });
    const items = await h.db.select().from(invoiceItems).where(eq(invoiceItems.invoiceId, nf2!.id));
    expect(items.map((i) => i.quantity).sort()).toEqual([2, 4, 8]);
  }, 60_000);

  it('reports bad product rows by line and imports the rest', async () => {
    const report = await run(
      'products',
      csv(
        'codigo;descricao;mascara;peso_kg;garantia_meses;custo',
        '100;PORTA A;BRANCO;2,6;60;149,90', // 2
        '101;"=HYPERLINK(""http://x"",""y"")";BRANCO;1;12;', // 3
        '102;PORTA C;+cmd;1;12;', // 4
        '103;PORTA D;;-2;12;', // 5
        '104;PORTA E;;1;7,5;', // 6
        '100;PORTA A DE NOVO;BRANCO;3;60;', // 7
        '105;PORTA F;;1;', // 8
        '106;PORTA G;;1.234,5;;', // 9
        ';;;;;', // 10 (blank: skipped)
        '107;;@SUM;abc;601;-1', // 11
        '100;PORTA A OUTRA MASCARA;PRETO;1.5;;', // 12
      ),
    );
    expect(report).toEqual({
      kind: 'products',
      total: 10,
      imported: 3,
      updated: 0,
      unchanged: 0,
      rejected: [
        { line: 3, reason: 'descricao: conteúdo parece fórmula de planilha (=HYPERLINK("http://x","y"))' },
        { line: 4, reason: 'mascara: conteúdo parece fórmula de planilha (+cmd)' },
        { line: 5, reason: 'peso_kg inválido (-2): use um número maior que zero, como 2,6' },
        {
          line: 6,
          reason: 'garantia_meses inválido (7,5): use meses inteiros de 0 a 600, ou deixe vazio para o padrão',
        },
        { line: 7, reason: 'produto 100 / BRANCO repetido no arquivo (primeira vez na linha 2)' },
        { line: 8, reason: 'linha com 5 colunas, o cabeçalho tem 6' },
        {
          line: 11,
          reason:
            'descricao vazia; mascara: conteúdo parece fórmula de planilha (@SUM); ' +
            'peso_kg inválido (abc): use um número maior que zero, como 2,6; ' +
            'garantia_meses inválido (601): use meses inteiros de 0 a 600, ou deixe vazio para o padrão; ' +
            'custo inválido (-1): use um número maior ou igual a zero, como 149,90, ou deixe vazio',
        },
      ],
    });
    const rows = await h.db.select().from(products);
    expect(
      rows
        .map((p) => [p.code, p.mask, p.weightKg, p.warrantyMonths, p.cost])
        .sort((a, b) => String(a[0]).localeCompare(String(b[0])) || String(a[1]).localeCompare(String(b[1]))),
    ).toEqual([
      ['100', 'BRANCO', 2.6, 60, 149.9],
      ['100', 'PRETO', 1.5, null, null],
      ['106', '', 1234.5, null, null],
    ]);
  }, 60_000);

  it('counts changed products as updated and leaves cost alone without a custo column', async () => {
    await run('products', csv('codigo;descricao;mascara;peso_kg;garantia_meses;custo', '1;A;;1;12;10', '2;B;;1;12;20'));
    const report = await run(
      'products',
      csv('codigo;descricao;mascara;peso_kg;garantia_meses', '1;A;;1;12', '2;B2;;1;12'),
    );
    expect(report).toMatchObject({ imported: 0, updated: 1, unchanged: 1, rejected: [] });
    const rows = await h.db.select().from(products);
    expect(rows.map((p) => [p.code, p.description, p.cost]).sort()).toEqual([
      ['1', 'A', 10],
      ['2', 'B2', 20],
    ]);
  }, 60_000);

  it('reads Windows-1252, "," delimiters, shuffled accented headers and multi-line cells', async () => {
    const latin = iconv.encode(
      'codigo;nome;cnpj;telefone;email\nC1;Móveis São José Ltda;24.680.135/0001-03;;\n',
      'win1252',
    );
    expect(await run('customers', latin)).toMatchObject({ imported: 1, rejected: [] });
    const [c] = await h.db.select().from(customers);
    expect(c!.name).toBe('Móveis São José Ltda');

    const report = await run(
      'products',
      csv(
        'Peso (KG),GARANTIA_MESES,Máscara,CÓDIGO,Descrição,observação',
        '"2,6",60,BRANCO,200,"PORTA; GIRO",x', // 2
        '"1,5",,,201,"TAMPO', // 3
        'BANCADA', // 4
        '1600X550",', // 5
        '0,,,202,X,', // 6: "0" weight, after the multi-line cell
        '"1.234,56",24,PRETO,203,"ARMARIO ""ALTO""",', // 7
      ),
    );
    expect(report).toEqual({
      kind: 'products',
      total: 4,
      imported: 3,
      updated: 0,
      unchanged: 0,
      rejected: [{ line: 6, reason: 'peso_kg inválido (0): use um número maior que zero, como 2,6' }],
    });
    const rows = await h.db.select().from(products);
    expect(rows.map((p) => [p.code, p.description, p.mask, p.weightKg]).sort()).toEqual([
      ['200', 'PORTA; GIRO', 'BRANCO', 2.6],
      ['201', 'TAMPO BANCADA 1600X550', '', 1.5],
      ['203', 'ARMARIO "ALTO"', 'PRETO', 1234.56],
    ]);
  }, 60_000);

  it('reads a ";" file with a BOM, quoted ";" inside a cell and CRLF line ends', async () => {
    const bytes = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from('codigo;descricao;mascara;peso_kg;garantia_meses\r\n300;"KIT; 4 PES";;0,4;\r\n301;X;;x;\r\n'),
    ]);
    expect(await run('products', bytes)).toEqual({
      kind: 'products',
      total: 2,
      imported: 1,
      updated: 0,
      unchanged: 0,
      rejected: [{ line: 3, reason: 'peso_kg inválido (x): use um número maior que zero, como 2,6' }],
    });
    const [p] = await h.db.select().from(products);
    expect(p).toMatchObject({ code: '300', description: 'KIT; 4 PES', mask: '' });
  }, 60_000);

  it('validates customers: CNPJ, several phones and e-mails, formulas; contacts only added', async () => {
    const report = await run(
      'customers',
      csv(
        'codigo;nome;cnpj;telefone;email',
        'C1;LOJA UM;24.680.135/0001-03;(54) 99999-0000|54999990000|55 3221-7070;A@Loja.com.br|b@loja.com.br', // 2
        'C2;LOJA DOIS;12.345.678/0001-00;;', // 3
        'C3;LOJA TRES;13.579.246/0001-01;+55 44 99812-3030|(54) 9999;x@y.com|nao-e-email', // 4
        'C4;"=HYPERLINK(""http://x"",""y"")";31.415.926/0001-71;;', // 5
        'C5;LOJA CINCO;1234567000195;+55 54 9 9999-0000;', // 6: CNPJ lost its leading zero in Excel
        'C6;LOJA SEIS;;;', // 7
      ),
    );
    expect(report).toEqual({
      kind: 'customers',
      total: 6,
      imported: 2,
      updated: 0,
      unchanged: 0,
      rejected: [
        { line: 3, reason: 'CNPJ inválido (12.345.678/0001-00)' },
        { line: 4, reason: 'telefone inválido ((54) 9999); e-mail inválido (nao-e-email)' },
        { line: 5, reason: 'nome: conteúdo parece fórmula de planilha (=HYPERLINK("http://x","y"))' },
        { line: 7, reason: 'CNPJ vazio' },
      ],
    });
    const list = async (code: string) => {
      const [c] = await h.db.select().from(customers).where(eq(customers.code, code));
      const rows = await h.db.select().from(contacts).where(eq(contacts.customerId, c!.id));
      return rows.map((r) => `${r.kind}:${r.value}`).sort();
    };
    expect(await list('C1')).toEqual([
      'email:a@loja.com.br',
      'email:b@loja.com.br',
      'phone:+5554999990000',
      'phone:+555532217070',
    ]);
    expect(await list('C5')).toEqual(['phone:+5554999990000']);
    const [c5] = await h.db.select().from(customers).where(eq(customers.code, 'C5'));
    expect(c5!.cnpj).toBe('01234567000195');
    expect(await h.db.select().from(customers).where(eq(customers.code, 'C3'))).toEqual([]);

    // Re-import with one contact fewer and one more: added, none removed.
    const again = await run(
      'customers',
      csv(
        'codigo;nome;cnpj;telefone;email',
        'C1;LOJA UM;24680135000103;(54) 99999-0000;c@loja.com.br',
        'C5;LOJA CINCO;01.234.567/0001-95;;',
      ),
    );
    expect(again).toEqual({ kind: 'customers', total: 2, imported: 0, updated: 1, unchanged: 1, rejected: [] });
    expect(await list('C1')).toEqual([
      'email:a@loja.com.br',
      'email:b@loja.com.br',
      'email:c@loja.com.br',
      'phone:+5554999990000',
      'phone:+555532217070',
    ]);
  }, 60_000);

  it('reads the optional uf column: valid states kept, others reported by line; no column leaves it alone', async () => {
    const report = await run(
      'customers',
      csv(
        'codigo;nome;cnpj;telefone;email;uf',
        'C1;LOJA UM;11.222.333/0001-81;54 99911-2233;a@b.com.br;rs',
        'C2;LOJA DOIS;44.555.666/0001-81;51 98877-6655;c@d.com.br;',
        'C3;LOJA TRES;11.444.777/0001-61;51 98877-1111;e@f.com.br;XX',
      ),
    );
    expect(report).toMatchObject({
      imported: 2,
      rejected: [{ line: 4, reason: expect.stringContaining('UF inválida') }],
    });
    const ufOf = async (code: string) =>
      (await h.db.select({ uf: customers.uf }).from(customers).where(eq(customers.code, code)))[0]?.uf;
    expect(await ufOf('C1')).toBe('RS');
    expect(await ufOf('C2')).toBeNull();
    // A file without the column keeps the state; changing it counts as an update.
    expect(
      await run(
        'customers',
        csv('codigo;nome;cnpj;telefone;email', 'C1;LOJA UM;11.222.333/0001-81;54 99911-2233;a@b.com.br'),
      ),
    ).toMatchObject({ unchanged: 1, updated: 0 });
    expect(await ufOf('C1')).toBe('RS');
    expect(
      await run(
        'customers',
        csv('codigo;nome;cnpj;telefone;email;uf', 'C1;LOJA UM;11.222.333/0001-81;54 99911-2233;a@b.com.br;SC'),
      ),
    ).toMatchObject({ updated: 1 });
    expect(await ufOf('C1')).toBe('SC');
  });

  it('validates invoice rows against customers and products, and invoice consistency', async () => {
    await sample('products');
    await sample('customers');
    const report = await run(
      'invoices',
      csv(
        'numero;cliente;emissao;pedido;produto;mascara;quantidade',
        '000.500.001;C2001;14/09/2026;P1;615020;BRANCO SUPREMO 15MM;4', // 2
        '500002;C2002;2026-06-02;P2;999999;TECA 18MM;1', // 3 unknown product
        '500003;C2002;31/02/2026;P3;615037;TECA 18MM;1', // 4 bad date
        '500004;C9999;01/03/2026;P4;615037;TECA 18MM;1', // 5 unknown customer
        '500005;C2003;01/03/2026;P5;615020;;1', // 6 mask missing, code has one masked product
        '500001;C2001;15/09/2026;P1;748012;;8', // 7 date disagrees with line 2
        '500001;C2002;14/09/2026;P9;748029;;1', // 8 customer and order disagree
        '500001;C2001;14/09/2026;P1;615020;BRANCO SUPREMO 15MM;1', // 9 repeated item
        '500006;C2001;01/03/2026;P6;615037;TECA 18MM;0', // 10 bad quantity
        '500007;C2001;01/03/2026;P7;615037;teca 18mm;2', // 11 mask case-insensitive match
        'abc;C2001;01/03/2026;P8;615037;TECA 18MM;1', // 12 bad number
        '500007;C2001;01/03/2026;P7;748043;;3', // 13 second item of 500007, elsewhere in the file
        '500008;C2001;01/03/2026;P8;748036;;1', // 14 code exists only with mask DOURADO
        '500009;C2001;01/03/2026;P9;615020;PRETO;1', // 15 mask unknown
        '500001;C2001;14/09/2026;P1;748029;;2', // 16 agrees with line 2
      ),
    );
    expect(report).toEqual({
      kind: 'invoices',
      total: 15,
      imported: 4,
      updated: 0,
      unchanged: 0,
      rejected: [
        { line: 3, reason: 'produto 999999 / TECA 18MM não cadastrado' },
        { line: 4, reason: 'emissao inválida (31/02/2026): use dd/mm/aaaa ou aaaa-mm-dd' },
        { line: 5, reason: 'cliente C9999 não cadastrado (importe o arquivo de clientes antes)' },
        {
          line: 6,
          reason:
            'produto 615020 (sem máscara) não cadastrado: o código só existe com a máscara BRANCO SUPREMO 15MM; preencha a mascara',
        },
        { line: 7, reason: 'NF 500001: emissao 15/09/2026 diverge da linha 2 (14/09/2026)' },
        {
          line: 8,
          reason: 'NF 500001: cliente C2002 diverge da linha 2 (C2001); NF 500001: pedido P9 diverge da linha 2 (P1)',
        },
        { line: 9, reason: 'NF 500001: produto 615020 / BRANCO SUPREMO 15MM repetido (primeira vez na linha 2)' },
        { line: 10, reason: 'quantidade inválida (0): use um número inteiro maior que zero' },
        { line: 12, reason: 'numero da NF inválido (abc)' },
        {
          line: 14,
          reason:
            'produto 748036 (sem máscara) não cadastrado: o código só existe com a máscara DOURADO; preencha a mascara',
        },
        { line: 15, reason: 'produto 615020 / PRETO não cadastrado (máscaras desse código: BRANCO SUPREMO 15MM)' },
      ],
    });
    const [nf] = await h.db.select().from(invoices).where(eq(invoices.number, '500001'));
    expect(nf).toMatchObject({ issueDate: '2026-09-14', orderNumber: 'P1' });
    const items = await h.db.select().from(invoiceItems).where(eq(invoiceItems.invoiceId, nf!.id));
    expect(items.map((i) => i.quantity).sort()).toEqual([2, 4]);
    expect(await h.db.select().from(invoices).where(eq(invoices.number, '500002'))).toEqual([]);

    // Changed header and quantity: updated; a new item: imported; the rest unchanged.
    const again = await run(
      'invoices',
      csv(
        'numero;cliente;emissao;pedido;produto;mascara;quantidade',
        '500001;C2001;14/09/2026;P1;615020;BRANCO SUPREMO 15MM;5',
        '500001;C2001;14/09/2026;P1;748029;;2',
        '500007;C2001;02/03/2026;P7;615037;TECA 18MM;2',
        '500007;C2001;02/03/2026;P7;748043;;3',
        '500007;C2001;02/03/2026;P7;748012;;1',
      ),
    );
    expect(again).toEqual({ kind: 'invoices', total: 5, imported: 1, updated: 3, unchanged: 1, rejected: [] });
    const [nf7] = await h.db.select().from(invoices).where(eq(invoices.number, '500007'));
    expect(nf7!.issueDate).toBe('2026-03-02');
  }, 60_000);

  it('keeps line numbers right after a multi-line quoted cell', async () => {
    await sample('products');
    await sample('customers');
    const report = await run(
      'invoices',
      csv(
        'numero;cliente;emissao;pedido;produto;mascara;quantidade',
        '600001;C2001;01/03/2026;"PED', // 2
        '', // 3 (inside the quotes)
        '77";615037;TECA 18MM;1', // 4
        '600002;C2001;01/03/2026;P;615037;TECA 18MM;x', // 5
      ),
    );
    expect(report.rejected).toEqual([
      { line: 5, reason: 'quantidade inválida (x): use um número inteiro maior que zero' },
    ]);
    const [nf] = await h.db.select().from(invoices).where(eq(invoices.number, '600001'));
    expect(nf!.orderNumber).toBe('PED 77');
  }, 60_000);

  it('refuses files that cannot be read at all, writing nothing', async () => {
    const random = crypto.randomBytes(512);
    for (let i = 0; i < random.length; i += 7) random[i] = 0;
    await expect(run('products', random)).rejects.toThrow(ImportFileError);
    await expect(run('products', Buffer.alloc(0))).rejects.toThrow(new ImportFileError('The file is empty.'));
    await expect(run('products', csv('615020;PORTA GIRO;BRANCO;2,6;60', '615021;PORTA;BRANCO;2,6;60'))).rejects.toThrow(
      /^The file has no header row/,
    );
    await expect(run('products', csv('codigo;descricao;mascara;garantia_meses', '1;A;;12'))).rejects.toThrow(
      new ImportFileError(
        'The header is missing the required column peso_kg (expected codigo;descricao;mascara;peso_kg;garantia_meses;custo).',
      ),
    );
    await expect(run('invoices', csv('numero;cliente;emissao;produto;quantidade'))).rejects.toThrow(
      /missing the required columns pedido, mascara/,
    );
    await expect(importCsv(h.db, 'stores' as ImportKind, csv('a'), OPTS)).rejects.toThrow(
      new ImportFileError('Unknown import kind "stores": use one of products, customers, invoices.'),
    );
    expect(await h.db.select().from(products)).toEqual([]);
  }, 60_000);
});

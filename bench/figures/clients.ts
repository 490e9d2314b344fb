import type { Report } from '../lib/report';

export async function measureClients(report: Report, _options: { runs: number; quick: boolean; say: (line: string) => void }): Promise<void> {
  report.skip('5', 'clients', 'not implemented yet');
}

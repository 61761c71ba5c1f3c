// Partnership reports (aggregates only): the language report.
import type { FastifyInstance } from 'fastify';
import { languageReport } from '../../services/report-service.ts';
import { requireSignedIn, signedIn } from '../sessions.ts';

export default async function reportRoutes(app: FastifyInstance): Promise<void> {
  const { db } = app.deps;
  app.addHook('preHandler', requireSignedIn);

  app.get('/reports/language', async (request, reply) => {
    // six months fit a page; the total is the column a reader looks for first
    const report = await languageReport(db, signedIn(request), 6);
    return reply.page('reports/language.njk', { title: 'Language in the chronology', report });
  });
}

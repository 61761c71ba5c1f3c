// Partnership reports (aggregates only): the language report.
import type { FastifyInstance } from 'fastify';
import { languageReport } from '../../services/report-service.ts';
import { requireSignedIn, signedIn } from '../sessions.ts';

export default async function reportRoutes(app: FastifyInstance): Promise<void> {
  const { db } = app.deps;
  app.addHook('preHandler', requireSignedIn);

  app.get('/reports/language', async (request, reply) => {
    const report = await languageReport(db, signedIn(request));
    return reply.page('reports/language.njk', { title: 'Language in the chronology', report });
  });
}

// A small front-end client, type-checked by test/frontend/codegen.test.ts against the types GraphQL Code
// Generator's client preset builds from schema/schema.graphql and test/frontend/operations/: a schema
// change that breaks what a front-end reads fails that test. It compiles only beside the generated
// ./gql/, so the project's own typecheck and lint leave it out (tsconfig.json, eslint.config.mjs).
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import {
  AssigneePickerDocument,
  DisputeDetailDocument,
  GridPersonListDocument,
  RegisterDisputeDocument,
  ViewerDocument,
  type DisputeCategory,
  type PartyRole,
  type Tier,
} from './gql/graphql';

interface Answer<R> {
  data?: R | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

/** Runs a generated document by its trusted-document id, as a production build does. */
export async function run<R, V>(
  endpoint: string,
  token: string,
  document: TypedDocumentNode<R, V>,
  variables: V,
): Promise<R> {
  const documentId = (document as { __meta__?: { hash?: string } }).__meta__?.hash;
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ documentId, variables }),
  });
  const answer = (await response.json()) as Answer<R>;
  if (!answer.data) throw new Error(answer.errors?.map((error) => error.message).join('; ') ?? 'no data');
  return answer.data;
}

export interface PersonRow {
  id: string;
  name: string;
  tier: Tier;
  reviewOverdue: boolean;
  gridName: string;
  phone: string | null;
}

/** Every row of the grid worker's person list, page by page. */
export async function personRows(endpoint: string, token: string, pageSize = 20): Promise<PersonRow[]> {
  const rows: PersonRow[] = [];
  let after: string | null = null;
  do {
    const page: Awaited<ReturnType<typeof loadPage>> = await loadPage(endpoint, token, pageSize, after);
    if (!page) break;
    for (const { node } of page.edges) {
      rows.push({
        id: node.id,
        name: node.name,
        tier: node.tier,
        reviewOverdue: node.reviewOverdue,
        gridName: node.grid.name,
        phone: node.phone,
      });
    }
    after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
  } while (after);
  return rows;
}

async function loadPage(endpoint: string, token: string, first: number, after: string | null) {
  return (await run(endpoint, token, GridPersonListDocument, { first, after })).persons;
}

/** The dispute page's header and its parties' names. */
export async function disputeHeader(endpoint: string, token: string, id: string) {
  const { dispute } = await run(endpoint, token, DisputeDetailDocument, { id });
  if (!dispute) return null;
  return {
    title: `${dispute.category} · ${dispute.status} · ${dispute.level}`,
    grid: dispute.grid.name,
    parties: dispute.parties.map((party) => `${party.role}: ${party.person?.name ?? '—'}`),
    sessions: dispute.mediationSessions?.length ?? null,
  };
}

/** The registration form's submit: the new dispute's id, or the messages to show by field. */
export async function submitDispute(
  endpoint: string,
  token: string,
  form: { category: DisputeCategory; description: string; gridId: string; personIds: string[] },
): Promise<{ id: string } | { problems: Record<string, string> }> {
  const { registerDispute } = await run(endpoint, token, RegisterDisputeDocument, {
    input: {
      category: form.category,
      description: form.description,
      gridId: form.gridId,
      source: 'GRID_VISIT',
      parties: form.personIds.map((personId, index) => {
        const role: PartyRole = index === 0 ? 'APPLICANT' : 'RESPONDENT';
        return { personId, role };
      }),
    },
  });
  if (!registerDispute) throw new Error('registerDispute was refused');
  if (registerDispute.dispute) return { id: registerDispute.dispute.id };
  return {
    problems: Object.fromEntries(
      registerDispute.userErrors.map((error) => [error.field ?? 'form', `${error.code}: ${error.message}`]),
    ),
  };
}

/** What the shell hides: the operations the signed-in account may not run. */
export async function hiddenOperations(endpoint: string, token: string): Promise<string[]> {
  const { viewer } = await run(endpoint, token, ViewerDocument, {});
  return viewer.operations.filter((operation) => !operation.allowed).map((operation) => operation.name);
}

/** The assignee picker's choices and who answers for the person now. */
export async function assigneeChoices(endpoint: string, token: string, personId: string) {
  const { staff, person } = await run(endpoint, token, AssigneePickerDocument, { personId });
  return {
    choices: (staff?.edges ?? []).map(
      ({ node }) => `${node.displayName} (${node.departmentCode}, ${node.position})`,
    ),
    responsible: person?.currentAssignment?.responsiblePerson.displayName ?? null,
    team: person?.currentAssignment?.teamMembers.map((member) => member.displayName) ?? [],
  };
}

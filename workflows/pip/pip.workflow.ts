import { condition, continueAsNew, setHandler } from '@temporalio/workflow';
import { runCase } from '../common/case-runtime';
import {
  PipInput,
  pipAcknowledgementUpdate,
  pipCheckInUpdate,
  pipCommentUpdate,
  pipCreatedUpdate,
  pipDecisionUpdate,
  pipMidpointReviewUpdate,
  pipOutcomeUpdate,
  pipRevisionUpdate,
  PipState,
  pipStateQuery,
  pipWithdrawUpdate,
} from './definitions';
import { PipCase } from './pip-case';

/**
 * A performance improvement plan from the manager's draft to its outcome (see PipCase for the rules). The
 * workflow only wires messages to the case: each human action is an Update whose validator is the 403/409/400
 * verdict, and which returns once its effects are committed. Plans run for months: the run continues as new
 * with its whole state once the history grows.
 */
export async function pipWorkflow(input: PipInput): Promise<PipState> {
  const pip = new PipCase(input);

  setHandler(pipStateQuery, () => pip.state);
  setHandler(pipCreatedUpdate, async () => {
    await condition(() => pip.created);
    return pip.state;
  });
  setHandler(pipDecisionUpdate, async (a) => (pip.decide(a, a.decision, a.comment), pip.commit()), { validator: (a) => pip.validateDecision(a) });
  setHandler(
    pipRevisionUpdate,
    async (a) => {
      await pip.revise(a);
      return pip.commit();
    },
    { validator: (a) => pip.validateRevision(a) },
  );
  setHandler(pipAcknowledgementUpdate, async (a) => (pip.acknowledge(a, a.acknowledged, a.comment), pip.commit()), {
    validator: (a) => pip.validateAcknowledgement(a),
  });
  setHandler(pipCheckInUpdate, async (a) => (pip.checkIn(a, a.goals, a.note), pip.commit()), { validator: (a) => pip.validateCheckIn(a) });
  setHandler(pipMidpointReviewUpdate, async (a) => (pip.midpointReview(a, a.note), pip.commit()), { validator: (a) => pip.validateMidpointReview(a) });
  setHandler(pipCommentUpdate, async (a) => (pip.comment(a, a.note), pip.commit()), { validator: (a) => pip.validateComment(a) });
  setHandler(
    pipOutcomeUpdate,
    async (a) => {
      await pip.giveOutcome(a);
      return pip.commit();
    },
    { validator: (a) => pip.validateOutcome(a) },
  );
  setHandler(pipWithdrawUpdate, async (a) => (pip.withdraw(a, a.reason), pip.commit()), { validator: (a) => pip.validateWithdrawal(a) });

  if (!input.carried) await pip.create();

  await runCase(pip, {
    caseId: input.caseId,
    historyLimit: input.historyLimit,
    carry: () => pip.carry(),
    continueAsNew: (carried) => continueAsNew<typeof pipWorkflow>({ ...input, carried }),
  });
  return pip.state;
}

/* Lamport's Paxos.tla (tlaplus/Examples, specifications/Paxos) for SPIN:
   3 acceptors, values 1..2, ballots 0..3, quorums the majorities.
   Written by tools/bench/spin/paxos_pml.py. Its states are those of
   `crosscheck check paxos --model spec --acceptors 3 --values 2 --max-ballot 3`:
   one process, one d_step per action instance, one stored state per
   TLA+ state. Acceptors are 0..2 here. */

/* Each acceptor's variables, one more than Paxos.tla's (a byte holds no
   -1): maxBal1[a] = maxBal[a] + 1, the highest ballot it promised;
   maxVBal1[a] = maxVBal[a] + 1 and maxVal[a], the ballot and value of its
   last vote. Initially maxBal = maxVBal = -1, maxVal = None (0). */
byte maxBal1[3] = 0;
byte maxVBal1[3] = 0;
byte maxVal[3] = 0;

/* msgs, every message ever sent, as bit sets: messages are never removed,
   and sending one sets its bit. sent1b_a_b holds acceptor a's 1b for
   ballot b reporting (mbal, mval) as bit (mbal+1)*3 + mval. The fields
   are ordered to pack into 32-bit words. */
unsigned sent1b_0_0 : 15;  /* acceptor 0's 1b for ballot 0 */
unsigned sent1b_0_1 : 15;  /* acceptor 0's 1b for ballot 1 */
unsigned sent1b_0_2 : 15;  /* acceptor 0's 1b for ballot 2 */
unsigned sent1b_0_3 : 15;  /* acceptor 0's 1b for ballot 3 */
unsigned sent1b_1_0 : 15;  /* acceptor 1's 1b for ballot 0 */
unsigned sent1b_1_1 : 15;  /* acceptor 1's 1b for ballot 1 */
unsigned sent1b_1_2 : 15;  /* acceptor 1's 1b for ballot 2 */
unsigned sent1b_1_3 : 15;  /* acceptor 1's 1b for ballot 3 */
unsigned sent1b_2_0 : 15;  /* acceptor 2's 1b for ballot 0 */
unsigned sent1b_2_1 : 15;  /* acceptor 2's 1b for ballot 1 */
unsigned sent1b_2_2 : 15;  /* acceptor 2's 1b for ballot 2 */
unsigned sent1b_2_3 : 15;  /* acceptor 2's 1b for ballot 3 */
unsigned sent2a : 8;  /* bit b*2 + v-1: a 2a for ballot b, value v */
unsigned sent2b_0 : 8;  /* the same bits: acceptor 0's 2b (votes) */
unsigned sent2b_1 : 8;  /* the same bits: acceptor 1's 2b (votes) */
unsigned sent2b_2 : 8;  /* the same bits: acceptor 2's 2b (votes) */
unsigned sent1a : 4;  /* bit b: a 1a for ballot b */

/* Acceptor a's 1b for ballot b: sent; reports no vote (mbal -1); reports
   the vote (c, v); reports no vote above ballot c. */
#define ANSWERED(a, b) (sent1b_##a##_##b != 0)
#define NO_VOTE(a, b) ((sent1b_##a##_##b >> 3) == 0)
#define REPORTS(a, b, c, v) ((sent1b_##a##_##b >> (((c) + 1) * 3 + (v))) & 1)
#define NONE_ABOVE(a, b, c) ((sent1b_##a##_##b >> (((c) + 2) * 3)) == 0)
/* A 2a for ballot b and value v was sent; acceptor a voted v in b. */
#define PROPOSED(b, v) ((sent2a >> ((b) * 2 + (v) - 1)) & 1)
#define VOTED(a, b, v) ((sent2b_##a >> ((b) * 2 + (v) - 1)) & 1)

/* Phase2a's condition on quorum Q and ballot b: every member of Q sent a
   1b for b, and either none of them reports a vote or v is the value of
   one reporting the highest vote. HIGHEST_Q(b, c, v): some member reports
   (c, v) and none a vote above c. SHOWN_Q(b, v): the whole condition. */
#define HIGHEST_01(b, c, v) \
  ((REPORTS(0, b, c, v) || REPORTS(1, b, c, v)) && \
   NONE_ABOVE(0, b, c) && NONE_ABOVE(1, b, c))
#define SHOWN_01(b, v) \
  (ANSWERED(0, b) && ANSWERED(1, b) && \
   ((NO_VOTE(0, b) && NO_VOTE(1, b)) || HIGHEST_01(b, 0, v) || HIGHEST_01(b, 1, v) || \
    HIGHEST_01(b, 2, v) || HIGHEST_01(b, 3, v)))
#define HIGHEST_02(b, c, v) \
  ((REPORTS(0, b, c, v) || REPORTS(2, b, c, v)) && \
   NONE_ABOVE(0, b, c) && NONE_ABOVE(2, b, c))
#define SHOWN_02(b, v) \
  (ANSWERED(0, b) && ANSWERED(2, b) && \
   ((NO_VOTE(0, b) && NO_VOTE(2, b)) || HIGHEST_02(b, 0, v) || HIGHEST_02(b, 1, v) || \
    HIGHEST_02(b, 2, v) || HIGHEST_02(b, 3, v)))
#define HIGHEST_12(b, c, v) \
  ((REPORTS(1, b, c, v) || REPORTS(2, b, c, v)) && \
   NONE_ABOVE(1, b, c) && NONE_ABOVE(2, b, c))
#define SHOWN_12(b, v) \
  (ANSWERED(1, b) && ANSWERED(2, b) && \
   ((NO_VOTE(1, b) && NO_VOTE(2, b)) || HIGHEST_12(b, 0, v) || HIGHEST_12(b, 1, v) || \
    HIGHEST_12(b, 2, v) || HIGHEST_12(b, 3, v)))
#define HIGHEST_012(b, c, v) \
  ((REPORTS(0, b, c, v) || REPORTS(1, b, c, v) || REPORTS(2, b, c, v)) && \
   NONE_ABOVE(0, b, c) && NONE_ABOVE(1, b, c) && NONE_ABOVE(2, b, c))
#define SHOWN_012(b, v) \
  (ANSWERED(0, b) && ANSWERED(1, b) && ANSWERED(2, b) && \
   ((NO_VOTE(0, b) && NO_VOTE(1, b) && NO_VOTE(2, b)) || HIGHEST_012(b, 0, v) || \
    HIGHEST_012(b, 1, v) || HIGHEST_012(b, 2, v) || HIGHEST_012(b, 3, v)))

/* Voting's chosen: some quorum all voted for v in one ballot; with
   majorities, 2 of the 3 acceptors did. */
#define CHOSEN_AT(b, v) \
  (VOTED(0, b, v) + VOTED(1, b, v) + VOTED(2, b, v) >= 2)
#define CHOSEN(v) \
  (CHOSEN_AT(0, v) || CHOSEN_AT(1, v) || CHOSEN_AT(2, v) || CHOSEN_AT(3, v))
/* Agreement: at most one value is chosen. Validity: a chosen value was
   proposed in some 2a message. */
#define AGREEMENT \
  (CHOSEN(1) + CHOSEN(2) <= 1)
#define VALIDITY \
  ((!CHOSEN(1) || (PROPOSED(0, 1) || PROPOSED(1, 1) || PROPOSED(2, 1) || PROPOSED(3, 1))) && \
   (!CHOSEN(2) || (PROPOSED(0, 2) || PROPOSED(1, 2) || PROPOSED(2, 2) || PROPOSED(3, 2))))
/* Both are asserted inside every d_step after its update: in every state
   but the initial one, where nothing is chosen. An assert at the loop
   head would be a statement of its own, a second stored state for each
   TLA+ state. */
#define CHECK assert(AGREEMENT); assert(VALIDITY)

active proctype paxos() {
  do
  /* Phase1a(b): a leader starts ballot b, asking the acceptors to join it
     (sends a 1a). Always enabled; once the 1a is in msgs it changes nothing. */
  :: d_step { sent1a = sent1a | 1; CHECK }  /* Phase1a(0) */
  :: d_step { sent1a = sent1a | 2; CHECK }  /* Phase1a(1) */
  :: d_step { sent1a = sent1a | 4; CHECK }  /* Phase1a(2) */
  :: d_step { sent1a = sent1a | 8; CHECK }  /* Phase1a(3) */
  /* Phase1b(a), one branch per 1a it may take, of ballot b: if b is above
     its promise maxBal, acceptor a promises b and sends a 1b reporting its
     last vote (maxVBal, maxVal). */
  :: d_step { (sent1a & 1) && maxBal1[0] < 1 ->  /* Phase1b(0), 1a 0 */
       maxBal1[0] = 1; sent1b_0_0 = sent1b_0_0 | (1 << (maxVBal1[0] * 3 + maxVal[0])); CHECK }
  :: d_step { (sent1a & 2) && maxBal1[0] < 2 ->  /* Phase1b(0), 1a 1 */
       maxBal1[0] = 2; sent1b_0_1 = sent1b_0_1 | (1 << (maxVBal1[0] * 3 + maxVal[0])); CHECK }
  :: d_step { (sent1a & 4) && maxBal1[0] < 3 ->  /* Phase1b(0), 1a 2 */
       maxBal1[0] = 3; sent1b_0_2 = sent1b_0_2 | (1 << (maxVBal1[0] * 3 + maxVal[0])); CHECK }
  :: d_step { (sent1a & 8) && maxBal1[0] < 4 ->  /* Phase1b(0), 1a 3 */
       maxBal1[0] = 4; sent1b_0_3 = sent1b_0_3 | (1 << (maxVBal1[0] * 3 + maxVal[0])); CHECK }
  :: d_step { (sent1a & 1) && maxBal1[1] < 1 ->  /* Phase1b(1), 1a 0 */
       maxBal1[1] = 1; sent1b_1_0 = sent1b_1_0 | (1 << (maxVBal1[1] * 3 + maxVal[1])); CHECK }
  :: d_step { (sent1a & 2) && maxBal1[1] < 2 ->  /* Phase1b(1), 1a 1 */
       maxBal1[1] = 2; sent1b_1_1 = sent1b_1_1 | (1 << (maxVBal1[1] * 3 + maxVal[1])); CHECK }
  :: d_step { (sent1a & 4) && maxBal1[1] < 3 ->  /* Phase1b(1), 1a 2 */
       maxBal1[1] = 3; sent1b_1_2 = sent1b_1_2 | (1 << (maxVBal1[1] * 3 + maxVal[1])); CHECK }
  :: d_step { (sent1a & 8) && maxBal1[1] < 4 ->  /* Phase1b(1), 1a 3 */
       maxBal1[1] = 4; sent1b_1_3 = sent1b_1_3 | (1 << (maxVBal1[1] * 3 + maxVal[1])); CHECK }
  :: d_step { (sent1a & 1) && maxBal1[2] < 1 ->  /* Phase1b(2), 1a 0 */
       maxBal1[2] = 1; sent1b_2_0 = sent1b_2_0 | (1 << (maxVBal1[2] * 3 + maxVal[2])); CHECK }
  :: d_step { (sent1a & 2) && maxBal1[2] < 2 ->  /* Phase1b(2), 1a 1 */
       maxBal1[2] = 2; sent1b_2_1 = sent1b_2_1 | (1 << (maxVBal1[2] * 3 + maxVal[2])); CHECK }
  :: d_step { (sent1a & 4) && maxBal1[2] < 3 ->  /* Phase1b(2), 1a 2 */
       maxBal1[2] = 3; sent1b_2_2 = sent1b_2_2 | (1 << (maxVBal1[2] * 3 + maxVal[2])); CHECK }
  :: d_step { (sent1a & 8) && maxBal1[2] < 4 ->  /* Phase1b(2), 1a 3 */
       maxBal1[2] = 4; sent1b_2_3 = sent1b_2_3 | (1 << (maxVBal1[2] * 3 + maxVal[2])); CHECK }
  /* Phase2a(b, v): if no 2a of ballot b was sent and the 1bs of some quorum
     for b leave v free (SHOWN_Q), a leader proposes v in b (sends a 2a). */
  :: d_step { (sent2a & 3) == 0 &&  /* Phase2a(0, 1) */
       (SHOWN_01(0, 1) || SHOWN_02(0, 1) || SHOWN_12(0, 1) || SHOWN_012(0, 1)) ->
       sent2a = sent2a | 1; CHECK }
  :: d_step { (sent2a & 3) == 0 &&  /* Phase2a(0, 2) */
       (SHOWN_01(0, 2) || SHOWN_02(0, 2) || SHOWN_12(0, 2) || SHOWN_012(0, 2)) ->
       sent2a = sent2a | 2; CHECK }
  :: d_step { (sent2a & 12) == 0 &&  /* Phase2a(1, 1) */
       (SHOWN_01(1, 1) || SHOWN_02(1, 1) || SHOWN_12(1, 1) || SHOWN_012(1, 1)) ->
       sent2a = sent2a | 4; CHECK }
  :: d_step { (sent2a & 12) == 0 &&  /* Phase2a(1, 2) */
       (SHOWN_01(1, 2) || SHOWN_02(1, 2) || SHOWN_12(1, 2) || SHOWN_012(1, 2)) ->
       sent2a = sent2a | 8; CHECK }
  :: d_step { (sent2a & 48) == 0 &&  /* Phase2a(2, 1) */
       (SHOWN_01(2, 1) || SHOWN_02(2, 1) || SHOWN_12(2, 1) || SHOWN_012(2, 1)) ->
       sent2a = sent2a | 16; CHECK }
  :: d_step { (sent2a & 48) == 0 &&  /* Phase2a(2, 2) */
       (SHOWN_01(2, 2) || SHOWN_02(2, 2) || SHOWN_12(2, 2) || SHOWN_012(2, 2)) ->
       sent2a = sent2a | 32; CHECK }
  :: d_step { (sent2a & 192) == 0 &&  /* Phase2a(3, 1) */
       (SHOWN_01(3, 1) || SHOWN_02(3, 1) || SHOWN_12(3, 1) || SHOWN_012(3, 1)) ->
       sent2a = sent2a | 64; CHECK }
  :: d_step { (sent2a & 192) == 0 &&  /* Phase2a(3, 2) */
       (SHOWN_01(3, 2) || SHOWN_02(3, 2) || SHOWN_12(3, 2) || SHOWN_012(3, 2)) ->
       sent2a = sent2a | 128; CHECK }
  /* Phase2b(a), one branch per 2a (b, v) it may take: unless it promised a
     higher ballot, acceptor a votes v in b (sends a 2b), and maxBal, maxVBal
     and maxVal record the vote. */
  :: d_step { (sent2a & 1) && maxBal1[0] <= 1 ->  /* Phase2b(0), 2a (0, 1) */
       maxBal1[0] = 1; maxVBal1[0] = 1; maxVal[0] = 1; sent2b_0 = sent2b_0 | 1; CHECK }
  :: d_step { (sent2a & 2) && maxBal1[0] <= 1 ->  /* Phase2b(0), 2a (0, 2) */
       maxBal1[0] = 1; maxVBal1[0] = 1; maxVal[0] = 2; sent2b_0 = sent2b_0 | 2; CHECK }
  :: d_step { (sent2a & 4) && maxBal1[0] <= 2 ->  /* Phase2b(0), 2a (1, 1) */
       maxBal1[0] = 2; maxVBal1[0] = 2; maxVal[0] = 1; sent2b_0 = sent2b_0 | 4; CHECK }
  :: d_step { (sent2a & 8) && maxBal1[0] <= 2 ->  /* Phase2b(0), 2a (1, 2) */
       maxBal1[0] = 2; maxVBal1[0] = 2; maxVal[0] = 2; sent2b_0 = sent2b_0 | 8; CHECK }
  :: d_step { (sent2a & 16) && maxBal1[0] <= 3 ->  /* Phase2b(0), 2a (2, 1) */
       maxBal1[0] = 3; maxVBal1[0] = 3; maxVal[0] = 1; sent2b_0 = sent2b_0 | 16; CHECK }
  :: d_step { (sent2a & 32) && maxBal1[0] <= 3 ->  /* Phase2b(0), 2a (2, 2) */
       maxBal1[0] = 3; maxVBal1[0] = 3; maxVal[0] = 2; sent2b_0 = sent2b_0 | 32; CHECK }
  :: d_step { (sent2a & 64) && maxBal1[0] <= 4 ->  /* Phase2b(0), 2a (3, 1) */
       maxBal1[0] = 4; maxVBal1[0] = 4; maxVal[0] = 1; sent2b_0 = sent2b_0 | 64; CHECK }
  :: d_step { (sent2a & 128) && maxBal1[0] <= 4 ->  /* Phase2b(0), 2a (3, 2) */
       maxBal1[0] = 4; maxVBal1[0] = 4; maxVal[0] = 2; sent2b_0 = sent2b_0 | 128; CHECK }
  :: d_step { (sent2a & 1) && maxBal1[1] <= 1 ->  /* Phase2b(1), 2a (0, 1) */
       maxBal1[1] = 1; maxVBal1[1] = 1; maxVal[1] = 1; sent2b_1 = sent2b_1 | 1; CHECK }
  :: d_step { (sent2a & 2) && maxBal1[1] <= 1 ->  /* Phase2b(1), 2a (0, 2) */
       maxBal1[1] = 1; maxVBal1[1] = 1; maxVal[1] = 2; sent2b_1 = sent2b_1 | 2; CHECK }
  :: d_step { (sent2a & 4) && maxBal1[1] <= 2 ->  /* Phase2b(1), 2a (1, 1) */
       maxBal1[1] = 2; maxVBal1[1] = 2; maxVal[1] = 1; sent2b_1 = sent2b_1 | 4; CHECK }
  :: d_step { (sent2a & 8) && maxBal1[1] <= 2 ->  /* Phase2b(1), 2a (1, 2) */
       maxBal1[1] = 2; maxVBal1[1] = 2; maxVal[1] = 2; sent2b_1 = sent2b_1 | 8; CHECK }
  :: d_step { (sent2a & 16) && maxBal1[1] <= 3 ->  /* Phase2b(1), 2a (2, 1) */
       maxBal1[1] = 3; maxVBal1[1] = 3; maxVal[1] = 1; sent2b_1 = sent2b_1 | 16; CHECK }
  :: d_step { (sent2a & 32) && maxBal1[1] <= 3 ->  /* Phase2b(1), 2a (2, 2) */
       maxBal1[1] = 3; maxVBal1[1] = 3; maxVal[1] = 2; sent2b_1 = sent2b_1 | 32; CHECK }
  :: d_step { (sent2a & 64) && maxBal1[1] <= 4 ->  /* Phase2b(1), 2a (3, 1) */
       maxBal1[1] = 4; maxVBal1[1] = 4; maxVal[1] = 1; sent2b_1 = sent2b_1 | 64; CHECK }
  :: d_step { (sent2a & 128) && maxBal1[1] <= 4 ->  /* Phase2b(1), 2a (3, 2) */
       maxBal1[1] = 4; maxVBal1[1] = 4; maxVal[1] = 2; sent2b_1 = sent2b_1 | 128; CHECK }
  :: d_step { (sent2a & 1) && maxBal1[2] <= 1 ->  /* Phase2b(2), 2a (0, 1) */
       maxBal1[2] = 1; maxVBal1[2] = 1; maxVal[2] = 1; sent2b_2 = sent2b_2 | 1; CHECK }
  :: d_step { (sent2a & 2) && maxBal1[2] <= 1 ->  /* Phase2b(2), 2a (0, 2) */
       maxBal1[2] = 1; maxVBal1[2] = 1; maxVal[2] = 2; sent2b_2 = sent2b_2 | 2; CHECK }
  :: d_step { (sent2a & 4) && maxBal1[2] <= 2 ->  /* Phase2b(2), 2a (1, 1) */
       maxBal1[2] = 2; maxVBal1[2] = 2; maxVal[2] = 1; sent2b_2 = sent2b_2 | 4; CHECK }
  :: d_step { (sent2a & 8) && maxBal1[2] <= 2 ->  /* Phase2b(2), 2a (1, 2) */
       maxBal1[2] = 2; maxVBal1[2] = 2; maxVal[2] = 2; sent2b_2 = sent2b_2 | 8; CHECK }
  :: d_step { (sent2a & 16) && maxBal1[2] <= 3 ->  /* Phase2b(2), 2a (2, 1) */
       maxBal1[2] = 3; maxVBal1[2] = 3; maxVal[2] = 1; sent2b_2 = sent2b_2 | 16; CHECK }
  :: d_step { (sent2a & 32) && maxBal1[2] <= 3 ->  /* Phase2b(2), 2a (2, 2) */
       maxBal1[2] = 3; maxVBal1[2] = 3; maxVal[2] = 2; sent2b_2 = sent2b_2 | 32; CHECK }
  :: d_step { (sent2a & 64) && maxBal1[2] <= 4 ->  /* Phase2b(2), 2a (3, 1) */
       maxBal1[2] = 4; maxVBal1[2] = 4; maxVal[2] = 1; sent2b_2 = sent2b_2 | 64; CHECK }
  :: d_step { (sent2a & 128) && maxBal1[2] <= 4 ->  /* Phase2b(2), 2a (3, 2) */
       maxBal1[2] = 4; maxVBal1[2] = 4; maxVal[2] = 2; sent2b_2 = sent2b_2 | 128; CHECK }
  od
}

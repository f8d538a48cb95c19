#!/usr/bin/env python3
"""Regenerates the queue-*.ami fragments from the q1-q5 captures (tests/captures/QUEUES.md).

Run from the repository root:  python3 src/AmiDialer.Simulator/Templates/extract_queue_templates.py [captures-dir]
A queue call is not one recorded stream: which agent rings, how often, and how the call ends depend on the queue's
state. So each fragment is one recorded step (the callee answers and joins, an agent is rung, connects, the callee
hangs up...), cut by message index from the capture that shows it, with the call's values as {{placeholders}} (the
caller pair is A, the agent's Local pair B). The simulator (SimulatedQueue.cs) plays the steps in the order the
queue's state gives. Events that depend on the queue as a whole are directives the simulator renders:
  !q join    DeviceStateChange Queue:<q> RINGING when the first caller joins
  !q empty   DeviceStateChange Queue:<q> NOT_INUSE when the last caller leaves
  !q member  QueueMemberStatus of the member being rung, then Queue:<q>_avail when that changed
  !q cdrs    the caller's CDRs: one per member rung (NO ANSWER, or ANSWERED for the one that took it; q5), or one
             with no destination when none was (q2)
"""
import os, re, sys

CAP = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), '..', '..', '..', 'tests', 'captures')
OUT = os.path.dirname(os.path.abspath(__file__))

def r(a, b):
    return list(range(a, b + 1))

# name, capture, phases as (delay, raw message indices); see QUEUES.md for what each capture shows.
SPECS = [
    # The callee answers after ringing (pstn d1), joins; its ;2 then waits out its talk time.
    ('queue-caller.answered', 'q1-queue-answered-to-free-agent', [('now', r(4, 25)), ('ring', r(26, 41) + [87])]),
    # Answers at once (pstn d6, 1 s of talk).
    ('queue-caller.short', 'q2-queue-abandon', [('now', r(11, 44))]),
    # Answers at once and stays (pstn d7, 600 s).
    ('queue-caller.long', 'q5-queue-agent-no-answer', [('now', r(132, 164) + [185])]),
    # A new Local pair for the member, up to AgentCalled and the queue's Dial.
    ('queue-agent.ring', 'q1-queue-answered-to-free-agent', [('now', r(42, 51) + [53])]),
    # The member's phone answers at once (agentphone 20x).
    ('queue-agent.answer', 'q1-queue-answered-to-free-agent', [('now', [52] + r(54, 59))]),
    # The member's phone only rings (agentphone 299).
    ('queue-agent.ringing', 'q5-queue-agent-no-answer', [('now', r(176, 184))]),
    # The queue's timeout passed: AgentRingNoAnswer and the member's pair hangs up.
    ('queue-agent.noanswer', 'q5-queue-agent-no-answer', [('now', r(186, 196))]),
    # The caller left while the member rang.
    ('queue-agent.cancel', 'q5-queue-agent-no-answer', [('now', [103, 104, 105, 106] + r(108, 113))]),
    # The member took the call: caller and member bridged.
    ('queue-connect', 'q1-queue-answered-to-free-agent', [('now', r(60, 86) + [88])]),
    # The callee hangs up (its dialplan's Hangup(), at the priority of its pstn branch: d1, d6).
    ('queue-callee.hangup.answered', 'q1-queue-answered-to-free-agent', [('now', r(89, 93))]),
    ('queue-callee.hangup.short', 'q2-queue-abandon', [('now', r(45, 49))]),
    # The callee's ;2 is hung up by a Hangup action.
    ('queue-callee.cut', 'q5-queue-agent-no-answer', [('now', [100, 101, 102, 107])]),
    # After the callee hung up, connected: AgentComplete and both pairs end.
    ('queue-complete', 'q1-queue-answered-to-free-agent', [('now', r(94, 116))]),
    # After the callee hung up, still waiting: QueueCallerAbandon.
    ('queue-abandon', 'q2-queue-abandon', [('now', r(50, 65))]),
]

CHANNEL_KEYS = ['Channel', 'ChannelState', 'ChannelStateDesc', 'CallerIDNum', 'CallerIDName', 'ConnectedLineNum',
                'ConnectedLineName', 'Language', 'AccountCode', 'Context', 'Exten', 'Priority', 'Uniqueid', 'Linkedid']

VALUE_SLOTS = {
    'MEMBERNAME': 'member', 'MEMBERCALLS': 'mcalls', 'MEMBERLASTCALL': 'mlastcall', 'MEMBERDYNAMIC': 'mdynamic',
    'MEMBERPENALTY': 'mpenalty', 'QUEUEPOSITION': 'qpos', 'QUEUEWAIT': 'qwait', 'QUEUEWAIT_MS': 'qwaitms',
    'ANSWEREDTIME': 'anst', 'ANSWEREDTIME_MS': 'anstms', 'DIALEDTIME': 'dialt', 'DIALEDTIME_MS': 'dialtms',
}

QUEUE_FIELDS = {'Position': 'qpos', 'OriginalPosition': 'qpos', 'Count': 'qcount', 'HoldTime': 'qhold', 'TalkTime': 'qtalk'}

def parse_raw(fn):
    data = open(fn, 'rb').read().decode('utf-8')
    _, rest = data.split('\r\n', 1)
    return [[tuple(l.split(': ', 1)) if ': ' in l else (l.rstrip(':'), '') for l in m.split('\r\n')]
            for m in rest.split('\r\n\r\n') if m.strip()]

def hdr(msg, name):
    for k, v in msg:
        if k == name:
            return v
    return None

def build(name, cap, phases):
    raw = parse_raw(os.path.join(CAP, cap + '.raw'))
    picked = [raw[i] for _, idx in phases for i in idx]
    text = '\n'.join(v for m in picked for _, v in m)
    caller = re.search(r'Local/(\d+)@pstn-[0-9a-f]{8}', text)
    agent = re.search(r'Local/(\d+)@agentphone-[0-9a-f]{8}', text)
    chan_a = caller.group(0) if caller else None
    num = caller.group(1) if caller else None
    chan_b = agent.group(0) if agent else None
    bnum = agent.group(1) if agent else None
    # Uniqueids: from the Newchannel events of those channels anywhere in the capture.
    uids = {}
    for m in raw:
        if hdr(m, 'Event') == 'Newchannel':
            ch = hdr(m, 'Channel')
            # Every pstn pair of a capture is a caller: a fragment of the agent's pair still names its caller's
            # Uniqueid as its Linkedid (the fragments hold one call's events, so no two callers meet in one).
            if re.match(r'Local/\d+@pstn-', ch):
                uids[hdr(m, 'Uniqueid')] = '{{uA%s}}' % ch[-1]
            elif chan_b and ch.startswith(chan_b):
                uids[hdr(m, 'Uniqueid')] = '{{uB%s}}' % ch[-1]

    def sub(msg):
        event = hdr(msg, 'Event')
        out = []
        for k, v in msg:
            if (k.endswith('Uniqueid') or k.endswith('Linkedid') or k == 'UniqueID') and v in uids:
                v = uids[v]
            elif k == 'BridgeUniqueid':
                v = '{{bridge}}'
            elif k in ('StartTime', 'AnswerTime', 'EndTime') and v:
                v = {'StartTime': '{{cdrstart}}', 'AnswerTime': '{{cdranswer}}', 'EndTime': '{{cdrend}}'}[k]
            elif k == 'Duration' and event == 'Cdr':
                v = '{{dur}}'
            elif k == 'BillableSeconds':
                v = '{{bill}}'
            elif event == 'VarSet' and k == 'Value' and v != '' and hdr(msg, 'Variable') in VALUE_SLOTS:
                v = '{{%s}}' % VALUE_SLOTS[hdr(msg, 'Variable')]
            elif event and event.startswith(('Queue', 'Agent')) and k in QUEUE_FIELDS:
                v = '{{%s}}' % QUEUE_FIELDS[k]
            elif k == 'RingTime':
                v = '{{ringms}}' if event == 'AgentRingNoAnswer' else '{{rings}}'
            elif k == 'Queue':
                v = '{{queue}}'
            elif k.endswith('CallerIDNum') or k.endswith('ConnectedLineNum') or k == 'Source':
                v = '{{cidnum}}' if v == '5551234' else v
            elif k.endswith('CallerIDName') or k.endswith('ConnectedLineName'):
                v = '{{cidname}}' if v == 'Campaign 7' else v
            elif k == 'CallerID':
                v = v.replace('"Campaign 7" <5551234>', '"{{cidname}}" <{{cidnum}}>')
            elif k.endswith('Context') and v == 'queue':
                v = '{{ctx}}'
            elif k.endswith('Context') and v == 'pstn':
                v = '{{dctx}}'
            elif (k.endswith('Exten') or k in ('Extension', 'Destination')) and v == 'sales':
                v = '{{exten}}'
            elif (k.endswith('Exten') or k in ('Extension', 'Destination')) and num and v == num:
                v = '{{num}}'
            elif (k.endswith('Exten') or k in ('Extension', 'Destination')) and bnum and v == bnum:
                v = '{{bexten}}'
            else:
                if chan_a:
                    v = v.replace(chan_a, '{{A}}')
                if chan_b:
                    v = v.replace(chan_b, '{{B}}')
                if k in ('AppData', 'LastData') and v == 'sales,r':
                    v = '{{queue}},r'
                if bnum:
                    v = v.replace('Local/%s@agentphone' % bnum, '{{devB}}').replace('%s@agentphone' % bnum, '{{peer}}')
                    if v == 'Agent ' + bnum:
                        v = '{{member}}'
                if num:
                    v = v.replace('Local/%s@pstn' % num, '{{devA}}')
                    digit = num[-1]
                    if k == 'AppData' and v.endswith('outcome digit ' + digit):
                        v = 'PSTN simulator: {{num}} outcome digit {{digit}}'
                    elif k == 'AppData' and v == 'PSTN_OUTCOME=' + digit:
                        v = 'PSTN_OUTCOME={{digit}}'
                    elif k == 'Value' and hdr(msg, 'Variable') == 'PSTN_OUTCOME':
                        v = '{{digit}}'
                    elif k == 'AppData' and hdr(msg, 'Application') == 'Goto' and v == 'd' + digit:
                        v = 'd{{digit}}'
                    elif k in ('DialString', 'LastData', 'DestinationChannel'):
                        v = v.replace(num, '{{num}}')
            out.append((k, v))
        return out

    def leg_of(ch):
        if chan_a and ch.startswith(chan_a):
            return 'A' + ch[-1]
        if chan_b and ch.startswith(chan_b):
            return 'B' + ch[-1]
        return None

    lines = ['# generated by extract_queue_templates.py from %s (do not edit by hand)' % cap]
    seen_vars = set()
    legs_seen = {}
    legs_app = {}
    gone = set()
    for delay, idx in phases:
        lines.append('@phase ' + delay)
        touched = set()
        for i in idx:
            ev = raw[i]
            e = hdr(ev, 'Event')
            ch = hdr(ev, 'Channel') or ''
            leg = leg_of(ch)
            device = hdr(ev, 'Device') or ''
            if e == 'OriginateResponse':
                lines += ['!or', '']
                continue
            if e == 'DeviceStateChange' and device.startswith('Queue:'):
                if device.endswith('_avail'):
                    continue  # !q member says it when it changes
                lines += ['!q ' + ('join' if hdr(ev, 'State') == 'RINGING' else 'empty'), '']
                continue
            if e == 'QueueMemberStatus':
                lines += ['!q member', '']
                continue
            if e == 'Cdr' and leg == 'A1':
                lines += ['!q cdrs', '']
                continue
            if e == 'VarSet' and hdr(ev, 'Variable') in ('CAMPAIGN', 'LEADID') and leg:
                if leg in seen_vars:
                    continue
                seen_vars.add(leg)
                order = 'forward' if hdr(ev, 'Variable') == 'CAMPAIGN' else 'reverse'
                s = [(k, '{{var}}' if k == 'Variable' else '{{val}}' if k == 'Value' else v) for k, v in sub(ev)]
                lines.append('!vars %s %s' % (leg, order))
                lines += ['%s: %s' % kv for kv in s]
                lines.append('')
                continue
            s = sub(ev)
            lines += ['%s: %s' % kv for kv in s]
            lines.append('')
            if leg and hdr(ev, 'ChannelState') is not None and e != 'Hangup':
                legs_seen[leg] = [(k, v) for k, v in s if k in CHANNEL_KEYS]
                touched.add(leg)
            if leg and e == 'Newexten':
                legs_app[leg] = [('Application', hdr(s, 'Application')), ('ApplicationData', hdr(s, 'AppData'))]
                touched.add(leg)
            if leg and e == 'Hangup':
                gone.add(leg)
                touched.add(leg)
        for leg in sorted(touched):
            if leg in gone:
                lines.append('!gone ' + leg)
            else:
                lines.append('!state ' + leg)
                lines += ['%s: %s' % kv for kv in legs_seen[leg] + legs_app.get(leg, [('Application', ''), ('ApplicationData', '')])]
                lines.append('')
    with open(os.path.join(OUT, name + '.ami'), 'w', newline='\n') as f:
        f.write('\n'.join(lines) + '\n')
    print(name, sum(len(i) for _, i in phases), 'messages')

for spec in SPECS:
    build(*spec)

# No capture lets a d7 callee (Wait(600)) hang up by itself: its Hangup() is d1's at d7's priority (23) after Wait(600).
with open(os.path.join(OUT, 'queue-callee.hangup.answered.ami'), encoding='utf-8') as f:
    text = f.read()
text = text.replace('Priority: 9\n', 'Priority: 23\n').replace('LastData: 5\n', 'LastData: 600\n')
with open(os.path.join(OUT, 'queue-callee.hangup.long.ami'), 'w', newline='\n') as f:
    f.write(text.replace('(do not edit by hand)', '(do not edit by hand; d1\'s hangup at d7\'s priority)'))
print('queue-callee.hangup.long derived')

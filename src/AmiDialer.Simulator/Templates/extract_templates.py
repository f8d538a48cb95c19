#!/usr/bin/env python3
"""Regenerates the *.ami call templates from the real captures in ../shared/ami-captures.

Run from the repository root:  python3 src/AmiDialer.Simulator/Templates/extract_templates.py [captures-dir]
Each template is the exact event stream Asterisk sent for one call, with the call-specific values
(channel names, Uniqueids, number, caller id, target, variables, CDR times) replaced by {{placeholders}}
and the stream cut into timed phases. The simulator replays them (CallTemplate.cs).
"""
import os, re, sys

CAP = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), '..', '..', '..', '..', 'shared', 'ami-captures')
OUT = os.path.dirname(os.path.abspath(__file__))

# name, capture, which Originate (substring of its ActionID, or the Redirect's), phase delay kinds, kind
SPECS = [
    ('call.answered', 'd0-originate-answered', 'orig-', ['ring', 'fixed:0.5', 'talk'], 'call'),
    ('call.answered1', 'd1-originate-answered', 'orig-', ['ring', 'fixed:0.5', 'talk'], 'call'),
    ('call.busy', 'd2-originate-busy', 'orig-', [], 'call'),
    ('call.noanswer', 'd3-originate-noanswer', 'orig-', ['timeout'], 'call'),
    ('call.congestion', 'd4-originate-congestion', 'orig-', [], 'call'),
    ('call.unallocated', 'd5-originate-unallocated', 'orig-', [], 'call'),
    ('call.short', 'd6-originate-short-answered', 'orig-', ['fixed:0.5', 'talk'], 'call'),
    ('call.long', 'd7-originate-long-call', 'orig-', ['fixed:0.5', 'talk'], 'call'),
    ('call.rejected', 'd8-originate-rejected', 'orig-', ['ring'], 'call'),
    ('call.playback', 'd9-originate-answered-playback', 'orig-', ['fixed:0.5', 'fixed:1', 'talk'], 'call'),
    ('call.nocontext', 'd11-originate-errors', 'orig-err-ctx', [], 'call'),
    ('app.answered', 'd13-originate-application', 'orig-app', ['fixed:0.5', 'fixed:1', 'talk'], 'call'),
    ('c2c.answered', 'j0-click-to-call-answered', 'c2c-', ['ring', 'fixed:0.5', 'talk'], 'c2c', 8.0),
    ('c2c.busy', 'j2-click-to-call-busy', 'c2c-', [], 'c2c'),
    ('c2c.noanswer', 'j3-click-to-call-noanswer', 'c2c-', ['dialtimeout'], 'c2c'),
    ('c2c.congestion', 'j4-click-to-call-congestion', 'c2c-', [], 'c2c'),
    ('c2c.unallocated', 'j5-click-to-call-unallocated', 'c2c-', [], 'c2c'),
    ('c2c.rejected', 'j8-click-to-call-rejected', 'c2c-', ['ring'], 'c2c'),
    # Calls dialled through the outcome ledger's [amidialer-dial] (k1: eight calls at once, told apart by channel names).
    ('ledger.answered', 'k1-ledger-dial-outcomes', 'orig-k1-4158137410', ['ring', 'fixed:0.5', 'talk'], 'ledger'),
    ('ledger.busy', 'k1-ledger-dial-outcomes', 'orig-k1-4158137412', [], 'ledger'),
    ('ledger.noanswer', 'k1-ledger-dial-outcomes', 'orig-k1-4158137413', ['ledgerring'], 'ledger'),
    ('ledger.congestion', 'k1-ledger-dial-outcomes', 'orig-k1-4158137414', [], 'ledger'),
    ('ledger.unallocated', 'k1-ledger-dial-outcomes', 'orig-k1-4158137415', [], 'ledger'),
    ('ledger.short', 'k1-ledger-dial-outcomes', 'orig-k1-4158137416', ['fixed:0.5', 'talk'], 'ledger'),
    ('ledger.rejected', 'k1-ledger-dial-outcomes', 'orig-k1-4158137418', ['ring'], 'ledger'),
    ('ledger.playback', 'k1-ledger-dial-outcomes', 'orig-k1-4158137419', ['fixed:0.5', 'fixed:1', 'talk'], 'ledger'),
    ('redirect.ivr', 'e1-redirect-live-call', 'redirect-', ['fixed:2'], 'redirect'),
    ('redirect.nocontext', 'e3-redirect-to-missing-context', 'redirect-', [], 'redirect'),
]

def parse_txt(fn):
    msgs = []; cur = None
    for line in open(fn, encoding='utf-8'):
        line = line.rstrip('\n')
        m = re.match(r'\[\+\s*([\d.]+)\] (S<|C>) ?(.*)$', line)
        if m:
            cur = {'t': float(m.group(1)), 'dir': m.group(2), 'lines': [m.group(3)]}
            msgs.append(cur); continue
        if cur and line.startswith(' ' * 15):
            cur['lines'].append(line[15:])
        elif cur:
            cur = None
    return msgs

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

def action_headers(lines):
    out = []
    for l in lines:
        if ': ' in l:
            out.append(tuple(l.split(': ', 1)))
    return out

def extract(name, cap, which, kinds, kind):
    txt = parse_txt(os.path.join(CAP, cap + '.txt'))
    raw = parse_raw(os.path.join(CAP, cap + '.raw'))
    # pair S< entries of the timeline with exact raw messages (banner excluded)
    s_entries = [m for m in txt if m['dir'] == 'S<' and not m['lines'][0].startswith('Asterisk Call Manager') and m['lines'][0]]
    assert len(s_entries) == len(raw), (cap, len(s_entries), len(raw))
    for m, r in zip(s_entries, raw):
        m['raw'] = r
    start = None; act = None
    for i, m in enumerate(txt):
        if m['dir'] == 'C>' and (m['lines'][0].startswith('Action: Originate') or m['lines'][0].startswith('Action: Redirect')):
            h = action_headers(m['lines'])
            if which in dict(h).get('ActionID', ''):
                start = i; act = h; break
    t0 = txt[start]['t']
    events = []
    for m in txt[start + 1:]:
        if m['dir'] == 'C>':
            if kind == 'ledger' and m['lines'][0].startswith('Action: Originate'):
                continue
            break
        if 'raw' not in m or m['raw'][0][0] != 'Event':
            continue
        if hdr(m['raw'], 'Privilege').split(',')[0] in ('security', 'system'):
            continue
        events.append((m['t'] - t0, m['raw']))
    a = dict(act)
    return a, events

def chan_names(events):
    names = set()
    for _, ev in events:
        for k, v in ev:
            for mm in re.finditer(r'Local/[^;,\s]+-[0-9a-f]{8}', v):
                names.add(mm.group(0))
    return names

def build(name, cap, which, kinds, kind, until=1e9):
    a, events = extract(name, cap, which, kinds, kind)
    events = [(t, e) for t, e in events if t < until]
    if kind == 'redirect':
        # the call being redirected: values come from its original Originate in the same capture
        orig, _ = extract(name, cap, 'orig-', [], 'call')
        chanA = re.match(r'(Local/[^;]+-[0-9a-f]{8})', a['Channel']).group(1)
        oa = orig
    else:
        oa = a
        chanA = None
    dial = oa['Channel']
    dm = re.match(r'Local/([^@]+)@(.+)$', dial)
    dexten, dctx = dm.group(1), dm.group(2)
    if kind == 'c2c':
        num = oa['Exten']
    else:
        num = dexten
    names = chan_names(events)
    if chanA is None:
        cands = [n for n in names if n.startswith(dial + '-')]
        cands.sort(key=lambda n: int(n[-8:], 16))
        chanA = cands[-1] if cands else None
    chanB = None
    if kind in ('c2c', 'ledger'):
        cands = [n for n in names if n.startswith('Local/%s@pstn-' % num)]
        cands.sort(key=lambda n: int(n[-8:], 16))
        chanB = cands[-1] if cands else None
    ours = {chanA, chanB} - {None}
    uid_values = {hdr(ev, 'Uniqueid') for _, ev in events if hdr(ev, 'Event') == 'Newchannel' and any(hdr(ev, 'Channel').startswith(c) for c in ours)}
    # drop events of other calls still running on the connection
    kept = []
    # Bridges carry no channel name of their own: theirs are the ones our channels entered.
    our_bridges = {hdr(ev, 'BridgeUniqueid') for _, ev in events
                   if hdr(ev, 'Event') in ('BridgeEnter', 'BridgeLeave') and any((hdr(ev, 'Channel') or '').startswith(c) for c in ours)}
    for t, ev in events:
        foreign = hdr(ev, 'Event') == 'OriginateResponse' and hdr(ev, 'ActionID') != a.get('ActionID')
        if kind == 'ledger' and hdr(ev, 'BridgeUniqueid') is not None and hdr(ev, 'BridgeUniqueid') not in our_bridges:
            foreign = True
        for k, v in ev:
            for mm in re.finditer(r'Local/[^;,\s]+-[0-9a-f]{8}', v):
                if mm.group(0) not in ours:
                    foreign = True
            if k == 'Device' and v not in (dial, 'Local/%s@pstn' % num) or kind == 'ledger' and k == 'UniqueID' and v not in uid_values:
                foreign = True
        if not foreign:
            kept.append((t, ev))
    events = kept
    uids = {}
    for _, ev in events:
        if hdr(ev, 'Event') == 'Newchannel':
            ch = hdr(ev, 'Channel')
            leg = ('A' if ch.startswith(chanA) else 'B') + ch[-1]
            uids[leg] = hdr(ev, 'Uniqueid')
    if kind == 'redirect':
        # no Newchannel after a redirect: take the Uniqueids from the channel events
        for _, ev in events:
            ch = hdr(ev, 'Channel'); u = hdr(ev, 'Uniqueid')
            if ch and u and ch.startswith(chanA):
                uids['A' + ch[-1]] = u
    cid = oa.get('CallerID')
    cidname = cidnum = None
    if cid:
        cm = re.match(r'"([^"]*)" <([^>]*)>', cid)
        cidname, cidnum = cm.group(1), cm.group(2)
    ctx, exten = oa.get('Context'), oa.get('Exten')
    var_names = [v.split('=', 1)[0] for k, v in oa.items() if k == 'Variable']
    var_names = [v.split('=', 1)[0] for (k, v) in [x for x in action_list(cap, which if kind != 'redirect' else 'orig-') if x[0] == 'Variable']]
    rctx = a.get('Context') if kind == 'redirect' else None
    rexten = a.get('Exten') if kind == 'redirect' else None

    uid_map = {v: '{{u%s}}' % k for k, v in uids.items()}
    variables = dict(x.split('=', 1) for x in [v for (k, v) in action_list(cap, which) if k == 'Variable'])
    dialstring = variables.get('AMIDIALER_DIALSTRING')
    ring = variables.get('AMIDIALER_RING')
    def sub(msg):
        ctxv = hdr(msg, 'Context')
        out = []
        for k, v in msg:
            if kind == 'ledger' and k == 'AppData' and v.startswith('DB(amidialer/'):
                v = 'DB(amidialer/{{attempt}})={{ledger}}'
            elif kind == 'ledger' and k == 'BridgeUniqueid':
                v = '{{bridge}}'
            elif kind == 'ledger' and k == 'Value' and hdr(msg, 'Variable') == 'ANSWEREDTIME':
                v = '{{answered}}'
            elif kind == 'ledger' and dialstring and dialstring in v:
                v = v.replace(chanA, '{{A}}').replace(chanB, '{{B}}')
                v = v.replace(dialstring + ',' + ring, '{{devB}},{{ring}}').replace(dialstring, '{{devB}}')
            elif v in uid_map:
                v = uid_map[v]
            elif k in ('StartTime', 'AnswerTime', 'EndTime') and v:
                v = {'StartTime': '{{cdrstart}}', 'AnswerTime': '{{cdranswer}}', 'EndTime': '{{cdrend}}'}[k]
            elif k == 'Duration' and hdr(msg, 'Event') == 'Cdr':
                v = '{{dur}}'
            elif k == 'BillableSeconds':
                v = '{{bill}}'
            elif cidnum and (k.endswith('CallerIDNum') or k.endswith('ConnectedLineNum') or k == 'Source') and v == cidnum:
                v = '{{cidnum}}'
            elif cidname and (k.endswith('CallerIDName') or k.endswith('ConnectedLineName')) and v == cidname:
                v = '{{cidname}}'
            elif k.endswith('Context') and rctx and v == rctx:
                v = '{{rctx}}'
            elif k.endswith('Context') and ctx and v == ctx:
                v = '{{ctx}}'
            elif k.endswith('Context') and v == dctx and kind != 'c2c':
                v = '{{dctx}}'
            elif k.endswith('Context') and v == dctx and kind == 'c2c':
                v = '{{dctx}}'
            elif v == num:
                v = '{{num}}'
            elif k in ('Exten', 'Extension', 'DestExten', 'Destination') and rexten and v == rexten and ctxv == rctx:
                v = '{{rexten}}'
            elif k in ('Exten', 'Extension', 'DestExten', 'Destination') and exten and v == exten:
                v = '{{exten}}'
            elif k in ('Exten', 'Extension', 'DestExten', 'Destination') and v == dexten:
                v = '{{dexten}}'
            else:
                if chanA: v = v.replace(chanA, '{{A}}')
                if chanB: v = v.replace(chanB, '{{B}}')
                v = v.replace(dial, '{{devA}}')
                if kind in ('c2c', 'ledger'):
                    v = v.replace('Local/%s@pstn' % num, '{{devB}}')
                digit = num[-1]
                if k == 'AppData' and v.endswith('outcome digit ' + digit):
                    v = v[:-1] + '{{digit}}'
                if k == 'AppData' and v == 'PSTN_OUTCOME=' + digit:
                    v = 'PSTN_OUTCOME={{digit}}'
                if k == 'Value' and hdr(msg, 'Variable') == 'PSTN_OUTCOME' and v == digit:
                    v = '{{digit}}'
                if k == 'AppData' and hdr(msg, 'Application') == 'Goto' and v == 'd' + digit:
                    v = 'd{{digit}}'
                if k == 'AppData' and 'campaign=' in v:
                    v = re.sub(r'campaign=\S*', 'campaign={{var:CAMPAIGN}}', v)
                if cidname and cidnum and k in ('AppData', 'CallerID'):
                    v = v.replace('"%s" <%s>' % (cidname, cidnum), '"{{cidname}}" <{{cidnum}}>')
                if k in ('Value', 'AppData', 'LastData', 'DestinationChannel', 'Device', 'DialString'):
                    v = v.replace(num, '{{num}}')
            out.append((k, v))
        return out

    # phases: a new phase starts after a gap of more than 0.25 s
    phases = []
    last = None
    for t, ev in events:
        if last is None or t - last > 0.25 and len(phases) <= len(kinds):
            phases.append([])
            if os.environ.get('PHASES'):
                print('  phase at %.3f after %s: %s' % (t, 'start' if last is None else '%.3f' % last, hdr(ev, 'Event')))
        elif os.environ.get('PHASES') and t - last > 0.25:
            print('  (gap not cut) at %.3f after %.3f: %s' % (t, last, hdr(ev, 'Event')))
        phases[-1].append(ev)
        last = t
    assert len(phases) == len(kinds) + 1, (name, len(phases), kinds)
    lines = ['# generated by extract_templates.py from %s (do not edit by hand)' % cap,
             '# phase delays: now ' + ' '.join(kinds)]
    legs_seen = {}
    legs_app = {}
    gone = set()
    seen_var_block = set()
    for pi, ph in enumerate(phases):
        lines.append('@phase ' + ('now' if pi == 0 else kinds[pi - 1]))
        for ev in ph:
            e = hdr(ev, 'Event')
            ch = hdr(ev, 'Channel') or ''
            leg = None
            if chanA and ch.startswith(chanA): leg = 'A' + ch[-1]
            elif chanB and ch.startswith(chanB): leg = 'B' + ch[-1]
            if e == 'OriginateResponse':
                lines.append('!or'); lines.append('')
                continue
            if e == 'VarSet' and hdr(ev, 'Variable') in var_names and leg:
                key = leg
                if key in seen_var_block:
                    continue
                seen_var_block.add(key)
                first = hdr(ev, 'Variable')
                order = 'forward' if first == var_names[0] else 'reverse'
                if len(var_names) == 1: order = 'forward'
                s = sub(ev)
                s = [(k, '{{var}}' if k == 'Variable' else '{{val}}' if k == 'Value' else v) for k, v in s]
                lines.append('!vars %s %s' % (leg, order))
                lines += ['%s: %s' % kv for kv in s]; lines.append('')
                continue
            s = sub(ev)
            lines += ['%s: %s' % kv for kv in s]; lines.append('')
            if leg and hdr(ev, 'ChannelState') is not None and e != 'Hangup':
                legs_seen[leg] = [(k, v) for k, v in s if k in CHANNEL_KEYS]
            if leg and e == 'Newexten':
                legs_app[leg] = [('Application', hdr(s, 'Application')), ('ApplicationData', hdr(s, 'AppData'))]
            if leg and e == 'Hangup':
                gone.add(leg)
        for leg in sorted(legs_seen):
            if leg in gone:
                lines.append('!gone ' + leg)
            else:
                lines.append('!state ' + leg)
                lines += ['%s: %s' % kv for kv in legs_seen[leg] + legs_app.get(leg, [('Application', ''), ('ApplicationData', '')])]
                lines.append('')
    with open(os.path.join(OUT, name + '.ami'), 'w', newline='\n') as f:
        f.write('\n'.join(lines) + '\n')
    print(name, [len(p) for p in phases], 'vars', var_names)

CHANNEL_KEYS = ['Channel', 'ChannelState', 'ChannelStateDesc', 'CallerIDNum', 'CallerIDName', 'ConnectedLineNum',
                'ConnectedLineName', 'Language', 'AccountCode', 'Context', 'Exten', 'Priority', 'Uniqueid', 'Linkedid']

def action_list(cap, which):
    for m in parse_txt(os.path.join(CAP, cap + '.txt')):
        if m['dir'] == 'C>' and m['lines'][0].startswith('Action: Originate'):
            h = action_headers(m['lines'])
            if which in dict(h).get('ActionID', ''):
                return h
    return []

for spec in SPECS:
    build(*spec)

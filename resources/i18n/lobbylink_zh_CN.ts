<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
<context>
    <name />
    <message>
        <source>Waiting</source>
        <translation>等待响应</translation>
    </message>
    <message>
        <source>Acknowledged</source>
        <translation>已响应</translation>
    </message>
    <message>
        <source>Arrived</source>
        <translation>已到达</translation>
    </message>
    <message>
        <source>Resolved</source>
        <translation>已处理</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <source>{who} acknowledged · on the way</source>
        <translation>{who} 已响应 · 正在前往</translation>
    </message>
    <message>
        <source>{who} acknowledged</source>
        <translation>{who} 已响应</translation>
    </message>
    <message>
        <source>{who} arrived</source>
        <translation>{who} 已到达</translation>
    </message>
    <message>
        <source>Waiting · escalated</source>
        <translation>等待响应 · 已升级</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>服务中</translation>
    </message>
    <message>
        <source>Paused</source>
        <translation>暂停服务</translation>
    </message>
    <message>
        <source>Closed</source>
        <translation>已关闭</translation>
    </message>
    <message>
        <source>Teller</source>
        <translation>柜员</translation>
    </message>
    <message>
        <source>Lobby manager</source>
        <translation>大堂经理</translation>
    </message>
    <message>
        <source>Wealth manager</source>
        <translation>理财经理</translation>
    </message>
    <message>
        <source>Supervisor</source>
        <translation>现场经理</translation>
    </message>
    <message>
        <source>Branch head</source>
        <translation>网点负责人</translation>
    </message>
    <message>
        <source>Escalated · not claimed</source>
        <translation>已升级 · 无人响应</translation>
    </message>
    <message>
        <source>{branch} · Live board</source>
        <translation>{branch} · 实时看板</translation>
    </message>
    <message>
        <source>Open signals</source>
        <translation>未结事项</translation>
    </message>
    <message>
        <source>Signals today</source>
        <translation>今日事项</translation>
    </message>
    <message>
        <source>Signals raised since midnight</source>
        <translation>今日零点以来发起的事项</translation>
    </message>
    <message>
        <source>Open now</source>
        <translation>当前未结</translation>
    </message>
    <message>
        <source>Median time to claim</source>
        <translation>响应用时中位数</translation>
    </message>
    <message>
        <source>Half the calls were claimed faster</source>
        <translation>一半的呼叫在此时间内得到响应</translation>
    </message>
    <message>
        <source>90% claimed within</source>
        <translation>90% 响应用时</translation>
    </message>
    <message>
        <source>Nine calls in ten were claimed faster</source>
        <translation>九成呼叫在此时间内得到响应</translation>
    </message>
    <message>
        <source>Escalated</source>
        <translation>已升级</translation>
    </message>
    <message>
        <source>Calls that went up the ladder today</source>
        <translation>今日逐级升级的呼叫</translation>
    </message>
    <message>
        <source>Handoffs</source>
        <translation>转介</translation>
    </message>
    <message>
        <source>Referrals and VIP arrivals handed over today</source>
        <translation>今日转介客户及贵宾到店的交接数</translation>
    </message>
    <message>
        <source>Accepted</source>
        <translation>已接受</translation>
    </message>
    <message>
        <source>Handoffs a wealth manager took on</source>
        <translation>理财经理已接受的转介</translation>
    </message>
    <message>
        <source>Declined</source>
        <translation>被退回</translation>
    </message>
    <message>
        <source>Handoffs declined at least once</source>
        <translation>至少被退回一次的转介</translation>
    </message>
    <message>
        <source>Served</source>
        <translation>已接待</translation>
    </message>
    <message>
        <source>Handoffs that ended with the customer served</source>
        <translation>客户最终得到接待的转介</translation>
    </message>
    <message>
        <source>No-show</source>
        <translation>未到场</translation>
    </message>
    <message>
        <source>Handoffs where the customer did not come</source>
        <translation>客户未到场的转介</translation>
    </message>
    <message>
        <source>Counters paused</source>
        <translation>已暂停窗口</translation>
    </message>
    <message>
        <source>Counters paused right now</source>
        <translation>当前暂停服务的窗口</translation>
    </message>
    <message>
        <source>Counters closed</source>
        <translation>已关闭窗口</translation>
    </message>
    <message>
        <source>Counters closed right now</source>
        <translation>当前已关闭的窗口</translation>
    </message>
    <message>
        <source>Live</source>
        <translation>实时</translation>
    </message>
    <message>
        <source>Today</source>
        <translation>今日</translation>
    </message>
    <message>
        <source>Reports</source>
        <translation>报表</translation>
    </message>
    <message>
        <source>Station PCs</source>
        <translation>工作站登记</translation>
    </message>
    <message>
        <source>{branch} · {page}</source>
        <translation>{branch} · {page}</translation>
    </message>
    <message numerus="yes">
        <source>Open signals · %n</source>
        <translation>
            <numerusform>未结事项 · %n</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>… and %n more escalated</source>
        <translation>
            <numerusform>… 另有 %n 项已升级</numerusform>
        </translation>
    </message>
    <message>
        <source>Escalated: {signal} · {who} · waiting {age}</source>
        <translation>已升级：{signal} · {who} · 已等待 {age}</translation>
    </message>
    <message>
        <source>Signals open now: the ones listed beside</source>
        <translation>当前未结的呼叫：即旁边列出的各项</translation>
    </message>
    <message>
        <source>Escalated: {signal} · {who} · waiting {age} · now with {roles}</source>
        <translation>已升级：{signal} · {who} · 已等待 {age} · 已通知 {roles}</translation>
    </message>
    <message>
        <source>No call is waiting past its deadline</source>
        <translation>没有超时未响应的呼叫</translation>
    </message>
    <message>
        <source>ALARM: {signal} · {who} · {age}</source>
        <translation>警报：{signal} · {who} · {age}</translation>
    </message>
    <message>
        <source>The key of {station} is in use from {first} and {second}: one key on two PCs? Revoke it and enrol the PC again unless it moved.</source>
        <translation>{station} 的密钥同时在 {first} 和 {second} 上使用：可能一把密钥装在两台电脑上？若不是电脑换了地址，请吊销该密钥并重新登记这台电脑。</translation>
    </message>
    <message numerus="yes">
        <source>… and %n more alarms</source>
        <translation>
            <numerusform>… 另有 %n 项警报</numerusform>
        </translation>
    </message>
    <message>
        <source>Connected</source>
        <translation>已连接</translation>
    </message>
    <message>
        <source>Hub unreachable · last known state</source>
        <translation>服务器连接中断 · 显示最后状态</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>已处理</translation>
    </message>
    <message>
        <source>Not allowed</source>
        <translation>无权操作</translation>
    </message>
    <message>
        <source>No longer exists</source>
        <translation>该事项已不存在</translation>
    </message>
    <message>
        <source>Not possible now</source>
        <translation>当前无法操作</translation>
    </message>
    <message>
        <source>Already taken by someone else</source>
        <translation>已被他人响应</translation>
    </message>
    <message>
        <source>Request refused</source>
        <translation>请求被拒绝</translation>
    </message>
    <message>
        <source>Refused</source>
        <translation>被拒绝</translation>
    </message>
    <message>
        <source>{status} · {reason}</source>
        <translation>{status} · {reason}</translation>
    </message>
    <message>
        <source>Floor map</source>
        <translation>网点平面图</translation>
    </message>
    <message>
        <source>Nobody signed in</source>
        <translation>无人签到</translation>
    </message>
    <message>
        <source>Online</source>
        <translation>在线</translation>
    </message>
    <message>
        <source>Offline</source>
        <translation>离线</translation>
    </message>
    <message>
        <source>No. {ticket}</source>
        <translation>{ticket} 号</translation>
    </message>
    <message>
        <source>Claimed by {who}</source>
        <translation>{who} 已响应</translation>
    </message>
    <message>
        <source>Lobbylink call bar</source>
        <translation>网点联动呼叫条</translation>
    </message>
    <message>
        <source>Open window</source>
        <translation>打开主窗口</translation>
    </message>
    <message>
        <source>Show the full Lobbylink window</source>
        <translation>显示完整的网点联动窗口</translation>
    </message>
    <message>
        <source>Raise “{label}” ({key})</source>
        <translation>发起“{label}”（{key}）</translation>
    </message>
    <message>
        <source>Raise “{label}”</source>
        <translation>发起“{label}”</translation>
    </message>
    <message>
        <source>My calls</source>
        <translation>我的呼叫</translation>
    </message>
    <message>
        <source>Confirm arrival</source>
        <translation>确认已到</translation>
    </message>
    <message>
        <source>The person who took my oldest call is here</source>
        <translation>响应我最早呼叫的人已到柜台</translation>
    </message>
    <message>
        <source>No open calls.</source>
        <translation>暂无未结呼叫。</translation>
    </message>
    <message>
        <source>Counter to send the customer to</source>
        <translation>引导客户前往的窗口</translation>
    </message>
    <message>
        <source>Counter</source>
        <translation>窗口</translation>
    </message>
    <message>
        <source>What the customer needs</source>
        <translation>客户要办理的业务</translation>
    </message>
    <message>
        <source>Customer need</source>
        <translation>客户需求</translation>
    </message>
    <message>
        <source>Need…</source>
        <translation>需求…</translation>
    </message>
    <message>
        <source>Ticket no.</source>
        <translation>排队号</translation>
    </message>
    <message>
        <source>Ticket number</source>
        <translation>排队号</translation>
    </message>
    <message>
        <source>Note (optional)</source>
        <translation>备注（选填）</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>备注</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>发送</translation>
    </message>
    <message>
        <source>Send (Enter)</source>
        <translation>发送 (Enter)</translation>
    </message>
    <message>
        <source>Close without sending (Esc)</source>
        <translation>不发送，关闭 (Esc)</translation>
    </message>
    <message>
        <source>Available</source>
        <translation>空闲</translation>
    </message>
    <message>
        <source>With a customer</source>
        <translation>接待中</translation>
    </message>
    <message>
        <source>Away</source>
        <translation>离开</translation>
    </message>
    <message>
        <source>nobody</source>
        <translation>无人</translation>
    </message>
    <message>
        <source>{who} declined: {reason}</source>
        <translation>{who} 已拒绝：{reason}</translation>
    </message>
    <message>
        <source>⚠ Nobody can take it: {why} · offer it again</source>
        <translation>⚠ 无人可接：{why} · 请重新转介</translation>
    </message>
    <message>
        <source>offered to the others</source>
        <translation>已转给其他理财经理</translation>
    </message>
    <message>
        <source>Offered to {who}</source>
        <translation>已转介给 {who}</translation>
    </message>
    <message>
        <source>{who} is away</source>
        <translation>{who} 已离开</translation>
    </message>
    <message>
        <source>every wealth manager is away</source>
        <translation>理财经理都已离开</translation>
    </message>
    <message>
        <source>Calls for this station</source>
        <translation>呼叫本岗的事项</translation>
    </message>
    <message>
        <source>No calls waiting</source>
        <translation>暂无待响应的呼叫</translation>
    </message>
    <message>
        <source>Claim  Enter</source>
        <translation>响应  Enter</translation>
    </message>
    <message>
        <source>Arrived  A</source>
        <translation>已到达  A</translation>
    </message>
    <message>
        <source>You are at the calling station (A)</source>
        <translation>您已到达呼叫的岗位 (A)</translation>
    </message>
    <message>
        <source>Resolve  R</source>
        <translation>已处理  R</translation>
    </message>
    <message>
        <source>The call is handled (R)</source>
        <translation>该呼叫已处理完毕 (R)</translation>
    </message>
    <message>
        <source>Waiting to be sent · clicked at {time}</source>
        <translation>等待发送 · {time} 点击</translation>
    </message>
    <message>
        <source>My signals</source>
        <translation>我发起的</translation>
    </message>
    <message>
        <source>Signals I raised</source>
        <translation>我发起的事项</translation>
    </message>
    <message>
        <source>Close the selected signal you raised, once someone has taken it</source>
        <translation>有人接手后，结束您发起的所选事项</translation>
    </message>
    <message>
        <source>Re-offer…</source>
        <translation>重新转介…</translation>
    </message>
    <message>
        <source>Offer the selected referral again, to one wealth manager or to any</source>
        <translation>将选中的转介重新发给某位理财经理或任一理财经理</translation>
    </message>
    <message>
        <source>Nobody can take: {what}</source>
        <translation>无人可接：{what}</translation>
    </message>
    <message>
        <source>Only a referral can be offered again</source>
        <translation>只有转介可以重新转介</translation>
    </message>
    <message>
        <source>Cancel signal</source>
        <translation>取消呼叫</translation>
    </message>
    <message>
        <source>Withdraw the selected signal you raised (Del)</source>
        <translation>撤回您发起的所选事项 (Del)</translation>
    </message>
    <message>
        <source>Claim</source>
        <translation>响应</translation>
    </message>
    <message>
        <source>Claim the call first; then mark that you arrived</source>
        <translation>请先响应该呼叫，再标记已到达</translation>
    </message>
    <message>
        <source>Resolve</source>
        <translation>处理</translation>
    </message>
    <message>
        <source>Claim the most urgent waiting call: you are going (Enter)</source>
        <translation>响应最紧急的等候呼叫：您这就过去（Enter）</translation>
    </message>
    <message>
        <source>No call is waiting</source>
        <translation>没有等候中的呼叫</translation>
    </message>
    <message>
        <source>Claimed: {what}</source>
        <translation>已响应：{what}</translation>
    </message>
    <message>
        <source>Sent: {label} → {to}</source>
        <translation>已发送：{label} → {to}</translation>
    </message>
    <message>
        <source>Sent: {label}</source>
        <translation>已发送：{label}</translation>
    </message>
    <message>
        <source>Already claimed by {who}</source>
        <translation>{who} 已先响应</translation>
    </message>
    <message numerus="yes">
        <source>Calls · %n waiting</source>
        <translation>
            <numerusform>呼叫 · %n 个等待响应</numerusform>
        </translation>
    </message>
    <message>
        <source>Hub unreachable</source>
        <translation>服务器连接中断</translation>
    </message>
    <message>
        <source>Showing the last known state; your actions are kept and sent on reconnect</source>
        <translation>当前显示最后状态；您的操作已保存，恢复连接后自动发送</translation>
    </message>
    <message>
        <source>Signal type</source>
        <translation>信号类型</translation>
    </message>
    <message>
        <source>Raised at</source>
        <translation>发起岗位</translation>
    </message>
    <message>
        <source>Responder</source>
        <translation>响应人</translation>
    </message>
    <message>
        <source>Hour</source>
        <translation>时段</translation>
    </message>
    <message>
        <source>Offered</source>
        <translation>已转介</translation>
    </message>
    <message>
        <source>{n} s</source>
        <translation>{n} 秒</translation>
    </message>
    <message>
        <source>{m} min {s} s</source>
        <translation>{m} 分 {s} 秒</translation>
    </message>
    <message>
        <source>The hub is not reachable</source>
        <translation>无法连接中心服务</translation>
    </message>
    <message>
        <source>The hub did not answer in time</source>
        <translation>中心服务未及时应答</translation>
    </message>
    <message>
        <source>The hub is busy with other reports; try again in a moment</source>
        <translation>中心服务正在生成其他报表，请稍后再试</translation>
    </message>
    <message>
        <source>This station may not see reports</source>
        <translation>本岗位无权查看报表</translation>
    </message>
    <message>
        <source>At most 366 days at a time</source>
        <translation>每次最多查询 366 天</translation>
    </message>
    <message>
        <source>The report could not be made</source>
        <translation>报表生成失败</translation>
    </message>
    <message>
        <source>From</source>
        <translation>从</translation>
    </message>
    <message>
        <source>To</source>
        <translation>至</translation>
    </message>
    <message>
        <source>Group by</source>
        <translation>分组</translation>
    </message>
    <message>
        <source>Show</source>
        <translation>查询</translation>
    </message>
    <message>
        <source>Export CSV…</source>
        <translation>导出 CSV…</translation>
    </message>
    <message>
        <source>Export HTML…</source>
        <translation>导出 HTML…</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <source>Yesterday</source>
        <translation>昨天</translation>
    </message>
    <message>
        <source>Last 7 days</source>
        <translation>近 7 天</translation>
    </message>
    <message>
        <source>This month</source>
        <translation>本月</translation>
    </message>
    <message>
        <source>Last month</source>
        <translation>上月</translation>
    </message>
    <message>
        <source>Chosen days</source>
        <translation>自选日期</translation>
    </message>
    <message>
        <source>to</source>
        <translation>至</translation>
    </message>
    <message>
        <source>Signals per hour</source>
        <translation>每小时信号数</translation>
    </message>
    <message>
        <source>Time to claim vs deadline (s)</source>
        <translation>响应用时与时限（秒）</translation>
    </message>
    <message>
        <source>Today, {day}</source>
        <translation>今日 {day}</translation>
    </message>
    <message>
        <source>The range ends before it starts: pick a later end day.</source>
        <translation>结束日期早于开始日期，请重新选择结束日期。</translation>
    </message>
    <message>
        <source>At most 366 days at a time: shorten the range.</source>
        <translation>每次最多查询 366 天，请缩短日期范围。</translation>
    </message>
    <message>
        <source>Asking the hub…</source>
        <translation>正在向中心服务查询…</translation>
    </message>
    <message>
        <source>Export failed: {why}</source>
        <translation>导出失败：{why}</translation>
    </message>
    <message>
        <source>Nobody</source>
        <translation>无人响应</translation>
    </message>
    <message>
        <source>No report yet.</source>
        <translation>尚无报表。</translation>
    </message>
    <message>
        <source>{first} to {last}</source>
        <translation>{first} 至 {last}</translation>
    </message>
    <message>
        <source>{span}: figures from the hub's journal</source>
        <translation>{span}：数据来自中心服务日志</translation>
    </message>
    <message>
        <source>Signals {n}</source>
        <translation>信号 {n}</translation>
    </message>
    <message>
        <source>Claimed {n}</source>
        <translation>已响应 {n}</translation>
    </message>
    <message>
        <source>Median to claim {t}</source>
        <translation>响应中位数 {t}</translation>
    </message>
    <message>
        <source>90% claimed within {t}</source>
        <translation>90% 在 {t} 内响应</translation>
    </message>
    <message>
        <source>Unanswered {n}</source>
        <translation>未响应 {n}</translation>
    </message>
    <message>
        <source>Escalated {n}</source>
        <translation>已升级 {n}</translation>
    </message>
    <message>
        <source>Handoff conversion {p}</source>
        <translation>转介成交率 {p}</translation>
    </message>
    <message>
        <source>Signals</source>
        <translation>信号数</translation>
    </message>
    <message>
        <source>Median</source>
        <translation>中位数</translation>
    </message>
    <message>
        <source>90%</source>
        <translation>90%</translation>
    </message>
    <message>
        <source>Deadline</source>
        <translation>时限</translation>
    </message>
    <message>
        <source>Branch</source>
        <translation>网点</translation>
    </message>
    <message>
        <source>Region</source>
        <translation>区域</translation>
    </message>
    <message>
        <source>Link to head office</source>
        <translation>与总行的连接</translation>
    </message>
    <message>
        <source>Behind</source>
        <translation>总行落后</translation>
    </message>
    <message>
        <source>Unclaimed now</source>
        <translation>当前未响应</translation>
    </message>
    <message>
        <source>Claimed</source>
        <translation>已响应</translation>
    </message>
    <message>
        <source>Median to claim</source>
        <translation>响应中位数</translation>
    </message>
    <message>
        <source>90% within</source>
        <translation>90% 响应用时</translation>
    </message>
    <message>
        <source>Late</source>
        <translation>超时</translation>
    </message>
    <message>
        <source>{n} min</source>
        <translation>{n} 分钟</translation>
    </message>
    <message>
        <source>{h} h {m} min</source>
        <translation>{h} 小时 {m} 分钟</translation>
    </message>
    <message>
        <source>{d} d {h} h</source>
        <translation>{d} 天 {h} 小时</translation>
    </message>
    <message>
        <source>Region board</source>
        <translation>区域看板</translation>
    </message>
    <message>
        <source>Double-click a branch (or an alert) to see its day.</source>
        <translation>双击网点（或提醒）查看该网点当天详情。</translation>
    </message>
    <message>
        <source>← All branches</source>
        <translation>← 全部网点</translation>
    </message>
    <message>
        <source>Alerts</source>
        <translation>提醒</translation>
    </message>
    <message>
        <source>{day} · view of role {role} · regions: {regions} · {n} branches</source>
        <translation>{day} · 角色 {role} 的视图 · 区域：{regions} · 共 {n} 个网点</translation>
    </message>
    <message>
        <source>a signal unclaimed over {n} min</source>
        <translation>信号超过 {n} 分钟未响应</translation>
    </message>
    <message>
        <source>a type's 90% time to claim over its deadline</source>
        <translation>某类信号 90% 响应用时超过其时限</translation>
    </message>
    <message>
        <source>a branch's 90% time to claim over {t}</source>
        <translation>网点 90% 响应用时超过 {t}</translation>
    </message>
    <message>
        <source>no word from a branch for {age}</source>
        <translation>网点 {age} 无消息</translation>
    </message>
    <message>
        <source>head office over {n} min behind a branch</source>
        <translation>总行落后网点超过 {n} 分钟</translation>
    </message>
    <message>
        <source>Alerts when: {rules}</source>
        <translation>提醒条件：{rules}</translation>
    </message>
    <message>
        <source>; </source>
        <translation>；</translation>
    </message>
    <message>
        <source>{branch}: no word from its hub for {age}</source>
        <translation>{branch}：已 {age} 未收到网点主机消息</translation>
    </message>
    <message>
        <source>{branch}: {n} unclaimed for over {limit} min, the longest {age}</source>
        <translation>{branch}：{n} 个信号超过 {limit} 分钟未响应，最长 {age}</translation>
    </message>
    <message>
        <source>{branch}: {type}, 90% claimed within {value}, over its {limit} deadline</source>
        <translation>{branch}：{type} 90% 响应用时 {value}，超过时限 {limit}</translation>
    </message>
    <message>
        <source>{branch}: 90% claimed within {value}, over the {limit} target</source>
        <translation>{branch}：90% 响应用时 {value}，超过目标 {limit}</translation>
    </message>
    <message>
        <source>{branch}: head office is {age} behind</source>
        <translation>{branch}：总行数据落后 {age}</translation>
    </message>
    <message>
        <source>Role {role} sees no branch: head office files branches under regions.</source>
        <translation>角色 {role} 看不到任何网点：请总行将网点归入该区域。</translation>
    </message>
    <message>
        <source>No alerts: every branch within its limits.</source>
        <translation>无提醒：各网点均在限值之内。</translation>
    </message>
    <message>
        <source>Alerts ({n})</source>
        <translation>提醒（{n}）</translation>
    </message>
    <message>
        <source>Never connected</source>
        <translation>从未连接</translation>
    </message>
    <message>
        <source>Disconnected since {time} ({age})</source>
        <translation>自 {time} 起断开（{age}）</translation>
    </message>
    <message>
        <source>Up to date</source>
        <translation>已同步</translation>
    </message>
    <message>
        <source>{n} events · {age}</source>
        <translation>{n} 条事件 · {age}</translation>
    </message>
    <message>
        <source>at least {lag}</source>
        <translation>至少 {lag}</translation>
    </message>
    <message>
        <source>head office unreachable: {why}</source>
        <translation>无法连接总行：{why}</translation>
    </message>
    <message>
        <source> · figures from {age} ago</source>
        <translation> · 显示的是 {age} 前的数据</translation>
    </message>
    <message>
        <source>Reading head office…</source>
        <translation>正在读取总行数据…</translation>
    </message>
    <message>
        <source>updated {age} ago</source>
        <translation>{age} 前更新</translation>
    </message>
    <message>
        <source>{branch} · {day}</source>
        <translation>{branch} · {day}</translation>
    </message>
    <message>
        <source>{link} · behind: {lag} · open now {n}</source>
        <translation>{link} · 总行落后：{lag} · 当前未结 {n}</translation>
    </message>
    <message>
        <source>{day}: figures from head office's copy of the branch journal</source>
        <translation>{day}：数据来自总行保存的网点日志副本</translation>
    </message>
    <message>
        <source>This branch's day could not be read: {why}</source>
        <translation>无法读取该网点当天的数据：{why}</translation>
    </message>
    <message>
        <source>Longest to claim</source>
        <translation>最长响应用时</translation>
    </message>
    <message>
        <source>Median to resolve</source>
        <translation>处理中位数</translation>
    </message>
    <message>
        <source>Unanswered</source>
        <translation>未响应</translation>
    </message>
    <message>
        <source>All</source>
        <translation>合计</translation>
    </message>
    <message>
        <source>Export the report</source>
        <translation>导出报表</translation>
    </message>
    <message>
        <source>An export is already running.</source>
        <translation>已有导出正在进行。</translation>
    </message>
    <message>
        <source>Cannot save to {path}: no such folder.</source>
        <translation>无法保存到 {path}：文件夹不存在。</translation>
    </message>
    <message>
        <source>Asking the hub for the report…</source>
        <translation>正在向中心服务获取报表…</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Writing {file}…</source>
        <translation>正在写入 {file}…</translation>
    </message>
    <message>
        <source>Export failed: cannot write {path}: {why}</source>
        <translation>导出失败：无法写入 {path}：{why}</translation>
    </message>
    <message>
        <source>Saved {path}</source>
        <translation>已保存 {path}</translation>
    </message>
    <message>
        <source>Export cancelled; nothing was saved.</source>
        <translation>导出已取消，未保存任何文件。</translation>
    </message>
    <message>
        <source>Hub: no health report yet</source>
        <translation>中心服务：尚无运行状况报告</translation>
    </message>
    <message>
        <source>journal disk {gb:.1f} GB free</source>
        <translation>日志磁盘剩余 {gb:.1f} GB</translation>
    </message>
    <message>
        <source>last write {age} ago</source>
        <translation>最近写入于 {age} 前</translation>
    </message>
    <message>
        <source>hub clock {seconds:+.0f} s from its PC's clock</source>
        <translation>中心服务时钟与本机时钟相差 {seconds:+.0f} 秒</translation>
    </message>
    <message>
        <source>Hub: {details}</source>
        <translation>中心服务：{details}</translation>
    </message>
    <message>
        <source>head office up to date</source>
        <translation>总行数据已同步</translation>
    </message>
    <message>
        <source>head office up to date, last sent {age} ago</source>
        <translation>总行数据已同步，上次上传于 {age} 前</translation>
    </message>
    <message>
        <source>head office: {events} events to send ({age} behind)</source>
        <translation>总行：待上传 {events} 条（落后 {age}）</translation>
    </message>
    <message>
        <source>head office: connecting</source>
        <translation>总行：正在连接</translation>
    </message>
    <message>
        <source>head office unreachable for {age}, {events} events waiting (the branch works on)</source>
        <translation>总行连接中断已 {age}，{events} 条待上传（本网点照常营业）</translation>
    </message>
    <message>
        <source>head office unreachable for {age} (the branch works on)</source>
        <translation>总行连接中断已 {age}（本网点照常营业）</translation>
    </message>
    <message>
        <source>head office refused this journal: shipping stopped, call IT</source>
        <translation>总行拒收本网点日志：已停止上传，请联系科技人员</translation>
    </message>
    <message>
        <source>standby hub: in step</source>
        <translation>备用中心：同步</translation>
    </message>
    <message>
        <source>standby hub: catching up, {events} behind</source>
        <translation>备用中心：追赶中，差 {events} 条</translation>
    </message>
    <message>
        <source>standby hub away since {time}, running alone</source>
        <translation>备用中心离线（自 {time}），单机运行</translation>
    </message>
    <message>
        <source>standby hub away, running alone</source>
        <translation>备用中心离线，单机运行</translation>
    </message>
    <message>
        <source>the hubs' clocks differ by {seconds:.0f} s</source>
        <translation>两台中心时钟相差 {seconds:.0f} 秒</translation>
    </message>
    <message>
        <source>Pause service…</source>
        <translation>暂停对外服务…</translation>
    </message>
    <message>
        <source>End service…</source>
        <translation>结束本窗口营业…</translation>
    </message>
    <message>
        <source>Resume service</source>
        <translation>恢复对外服务</translation>
    </message>
    <message>
        <source>Pause counter service</source>
        <translation>暂停对外服务</translation>
    </message>
    <message>
        <source>Why is the counter pausing?</source>
        <translation>窗口为什么暂停？</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>暂停</translation>
    </message>
    <message>
        <source>Expected length (optional):</source>
        <translation>预计时长（可不选）：</translation>
    </message>
    <message>
        <source>Not sure</source>
        <translation>不确定</translation>
    </message>
    <message numerus="yes">
        <source>%n min</source>
        <translation>
            <numerusform>%n 分钟</numerusform>
        </translation>
    </message>
    <message>
        <source>End counter service?</source>
        <translation>结束本窗口营业？</translation>
    </message>
    <message numerus="yes">
        <source>%n call(s) of this counter are still open.</source>
        <translation>
            <numerusform>本窗口还有 %n 个呼叫未处理完。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n customer(s) sent to this counter are still open.</source>
        <translation>
            <numerusform>还有 %n 位转到本窗口的客户未办理完。</numerusform>
        </translation>
    </message>
    <message>
        <source>End service at this counter anyway? The program stays open.</source>
        <translation>仍要结束本窗口营业吗？（程序不会关闭。）</translation>
    </message>
    <message>
        <source>Keep serving</source>
        <translation>继续营业</translation>
    </message>
    <message>
        <source>End service</source>
        <translation>结束营业</translation>
    </message>
    <message>
        <source>{clock} of {minutes} min</source>
        <translation>{clock}（预计 {minutes} 分钟）</translation>
    </message>
    <message>
        <source>{clock} · {over} over</source>
        <translation>{clock} · 已超时 {over}</translation>
    </message>
    <message>
        <source>The wealth manager to offer the customer to, or any of them</source>
        <translation>转介给哪位理财经理（或任一位）</translation>
    </message>
    <message>
        <source>Any wealth manager</source>
        <translation>任一理财经理</translation>
    </message>
    <message>
        <source>Acknowledge: I am handling it</source>
        <translation>确认：由我处理</translation>
    </message>
    <message>
        <source>{signal} at {where} · {age} · not yet acknowledged</source>
        <translation>{signal} · {where} · {age} · 尚无人确认</translation>
    </message>
</context>
<context>
    <name>AlertManager</name>
    <message>
        <source>Lobbylink</source>
        <translation>网点联动</translation>
    </message>
    <message>
        <source>From {station}</source>
        <translation>来自 {station}</translation>
    </message>
    <message>
        <source>Reminder</source>
        <translation>提醒</translation>
    </message>
    <message>
        <source>{who} acknowledged: {signal}</source>
        <translation>{who} 已响应：{signal}</translation>
    </message>
    <message>
        <source>Acknowledged</source>
        <translation>已响应</translation>
    </message>
</context>
<context>
    <name>BroadcastBanner</name>
    <message>
        <source>OK, read</source>
        <translation>知道了</translation>
    </message>
    <message>
        <source>Broadcast from {who}: {text}</source>
        <translation>通知（{who}）：{text}</translation>
    </message>
    <message numerus="yes">
        <source>(+%n more)</source>
        <translation>
            <numerusform>（还有 %n 条）</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>BroadcastDialog</name>
    <message>
        <source>Broadcast to the stations</source>
        <translation>发送通知</translation>
    </message>
    <message>
        <source>e.g. Morning meeting in ten minutes</source>
        <translation>例如：十分钟后开晨会</translation>
    </message>
    <message>
        <source>Message:</source>
        <translation>内容：</translation>
    </message>
    <message>
        <source>All stations</source>
        <translation>全部岗位</translation>
    </message>
    <message>
        <source>To:</source>
        <translation>发给：</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>发送</translation>
    </message>
</context>
<context>
    <name>BroadcastTally</name>
    <message>
        <source>Sent “{text}” · {acked}/{total} acknowledged</source>
        <translation>已发通知“{text}” · 已确认 {acked}/{total}</translation>
    </message>
    <message>
        <source>Every station acknowledged</source>
        <translation>各岗位均已确认</translation>
    </message>
    <message>
        <source>Not yet acknowledged: {stations}</source>
        <translation>尚未确认：{stations}</translation>
    </message>
</context>
<context>
    <name>EnrolmentPanel</name>
    <message>
        <source>Station PCs asking to join the branch. Approve one only when its screen shows the same fingerprint.</source>
        <translation>以下工作站电脑申请加入本网点。仅当该电脑屏幕上显示的指纹与此处相同时，才可批准。</translation>
    </message>
    <message>
        <source>Station</source>
        <translation>工作站</translation>
    </message>
    <message>
        <source>Fingerprint</source>
        <translation>密钥指纹</translation>
    </message>
    <message>
        <source>Asked at</source>
        <translation>申请时间</translation>
    </message>
    <message>
        <source>&amp;Approve…</source>
        <translation>批准(&amp;A)…</translation>
    </message>
    <message>
        <source>&amp;Refuse…</source>
        <translation>拒绝(&amp;R)…</translation>
    </message>
    <message>
        <source>{name} ({station})</source>
        <translation>{name}（{station}）</translation>
    </message>
    <message>
        <source>No station PC is waiting.</source>
        <translation>没有待批准的工作站。</translation>
    </message>
    <message>
        <source>The hub refused: {reason}</source>
        <translation>中心服务拒绝：{reason}</translation>
    </message>
    <message>
        <source>Does the screen of {station} show this fingerprint? Approve only if it does: this PC will then act as {station}.</source>
        <translation>{station} 的屏幕上显示的是否为以下指纹？仅在相同时批准：批准后这台电脑将作为 {station} 工作。</translation>
    </message>
    <message>
        <source>Refuse the request of {station} with this fingerprint?</source>
        <translation>拒绝 {station} 以下列指纹提出的登记申请？</translation>
    </message>
    <message>
        <source>Station enrolment</source>
        <translation>工作站登记</translation>
    </message>
    <message>
        <source>{station} approved.</source>
        <translation>已批准 {station}。</translation>
    </message>
    <message>
        <source>The request of {station} was refused.</source>
        <translation>已拒绝 {station} 的申请。</translation>
    </message>
</context>
<context>
    <name>OutcomeDialog</name>
    <message>
        <source>Outcome of the referral</source>
        <translation>转介结果</translation>
    </message>
    <message>
        <source>ticket {ticket}</source>
        <translation>排队号 {ticket}</translation>
    </message>
    <message>
        <source>&amp;Served</source>
        <translation>已接待(&amp;S)</translation>
    </message>
    <message>
        <source>&amp;No-show</source>
        <translation>未到场(&amp;N)</translation>
    </message>
    <message>
        <source>No product</source>
        <translation>无产品</translation>
    </message>
    <message>
        <source>&amp;Product:</source>
        <translation>产品(&amp;P)：</translation>
    </message>
    <message>
        <source>Optional</source>
        <translation>选填</translation>
    </message>
    <message>
        <source>N&amp;ote:</source>
        <translation>备注(&amp;O)：</translation>
    </message>
    <message>
        <source>Record outcome</source>
        <translation>登记结果</translation>
    </message>
</context>
<context>
    <name>RaiseDialog</name>
    <message>
        <source>&amp;To:</source>
        <translation>发送至(&amp;T)：</translation>
    </message>
    <message>
        <source>&amp;Need:</source>
        <translation>需求(&amp;N)：</translation>
    </message>
    <message>
        <source>Optional</source>
        <translation>选填</translation>
    </message>
    <message>
        <source>N&amp;ote:</source>
        <translation>备注(&amp;O)：</translation>
    </message>
    <message>
        <source>Customer's queue ticket, optional</source>
        <translation>客户排队号，选填</translation>
    </message>
    <message>
        <source>&amp;Ticket no.:</source>
        <translation>排队号(&amp;T)：</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>发送</translation>
    </message>
</context>
<context>
    <name>RegionWindow</name>
    <message>
        <source>Lobbylink · region board</source>
        <translation>网点联动 · 区域看板</translation>
    </message>
</context>
<context>
    <name>ReofferDialog</name>
    <message>
        <source>Offer the customer again</source>
        <translation>重新转介客户</translation>
    </message>
    <message>
        <source>ticket {ticket}</source>
        <translation>排队号 {ticket}</translation>
    </message>
    <message>
        <source>&amp;Offer it to:</source>
        <translation>转介给(&amp;O)：</translation>
    </message>
    <message>
        <source>Any wealth manager</source>
        <translation>任一理财经理</translation>
    </message>
    <message>
        <source>Offer</source>
        <translation>转介</translation>
    </message>
</context>
<context>
    <name>SignInDialog</name>
    <message>
        <source>Sign in at {station}</source>
        <translation>{station} 签到</translation>
    </message>
    <message>
        <source>Who is working at {station} ({role})?</source>
        <translation>谁在 {station}（{role}）上岗？</translation>
    </message>
    <message>
        <source>&amp;PIN (leave empty if you have none)</source>
        <translation>PIN 码(&amp;P)（未设置可留空）</translation>
    </message>
    <message>
        <source>Sign in</source>
        <translation>签到</translation>
    </message>
    <message>
        <source>Choose your name first.</source>
        <translation>请先选择您的姓名。</translation>
    </message>
    <message>
        <source>Signing in…</source>
        <translation>正在签到…</translation>
    </message>
    <message>
        <source>Signing in… (waiting for the hub)</source>
        <translation>正在签到…（等待服务器响应）</translation>
    </message>
</context>
<context>
    <name>StationBridge</name>
    <message>
        <source>the outbox was damaged and set aside as {file}; calls not yet sent may be lost: check with the lobby by phone</source>
        <translation>发件箱已损坏，已移至 {file}；尚未发出的呼叫可能丢失：请电话与大堂确认</translation>
    </message>
    <message>
        <source>cannot save the call: {problem}; call by phone</source>
        <translation>无法保存本次呼叫：{problem}；请电话联系</translation>
    </message>
</context>
<context>
    <name>StationWindow</name>
    <message>
        <source>Lobbylink · {station}</source>
        <translation>网点联动 · {station}</translation>
    </message>
    <message>
        <source>Branch time</source>
        <translation>网点时间</translation>
    </message>
    <message>
        <source>Today</source>
        <translation>今日已办</translation>
    </message>
    <message>
        <source>Show the calls handled today; click again to hide them</source>
        <translation>在旁边显示今天已处理的呼叫；再点一次收起</translation>
    </message>
    <message>
        <source>Broadcast…</source>
        <translation>发通知…</translation>
    </message>
    <message>
        <source>Send a short message to all stations or one zone</source>
        <translation>给全部岗位或某一区域发一条简短通知</translation>
    </message>
    <message>
        <source>Sign out</source>
        <translation>签退</translation>
    </message>
    <message>
        <source>Sign out of this station</source>
        <translation>从本岗位签退</translation>
    </message>
    <message>
        <source>Sign in…</source>
        <translation>签到…</translation>
    </message>
    <message>
        <source>Dismiss</source>
        <translation>知道了</translation>
    </message>
    <message>
        <source>Muted</source>
        <translation>已静音</translation>
    </message>
    <message>
        <source>Sound on</source>
        <translation>声音开</translation>
    </message>
    <message>
        <source>Alert sounds are off: click to turn them on</source>
        <translation>提示音已关闭：点击开启</translation>
    </message>
    <message>
        <source>Alert sounds are on: click to mute them</source>
        <translation>提示音已开启：点击静音</translation>
    </message>
    <message>
        <source>{name} · signing in (waiting for the hub)</source>
        <translation>{name} · 正在签到（等待服务器）</translation>
    </message>
    <message>
        <source>Nobody signed in</source>
        <translation>无人签到</translation>
    </message>
    <message>
        <source>Hub unreachable: your calls are kept and sent when it returns</source>
        <translation>服务器连接中断：您的呼叫已保存，恢复连接后自动发送</translation>
    </message>
    <message numerus="yes">
        <source>%n action(s) waiting to be sent</source>
        <translation>
            <numerusform>%n 项操作等待发送</numerusform>
        </translation>
    </message>
    <message>
        <source>Running on the standby hub; work goes on as usual</source>
        <translation>正在使用备用中心，业务照常办理</translation>
    </message>
    <message>
        <source>Wayland lets no application take keys from the others</source>
        <translation>Wayland 不允许一个程序占用其他程序的按键</translation>
    </message>
    <message>
        <source>System-wide call keys are not available on this desktop ({why}): use the buttons or the call bar.</source>
        <translation>本桌面无法使用全局呼叫键（{why}）：请使用按钮或呼叫条。</translation>
    </message>
    <message>
        <source>Another program already uses {keys}: those call keys do not work here. Use the buttons or the call bar, and ask IT to free the keys or change them in branch.toml.</source>
        <translation>{keys} 已被其他程序占用，这些呼叫键在本机无效。请使用按钮或呼叫条，并请科技人员释放这些按键，或在 branch.toml 中改用其他按键。</translation>
    </message>
    <message>
        <source>Some call keys could not be taken: {keys}. See the log.</source>
        <translation>部分呼叫键无法启用：{keys}。详见日志。</translation>
    </message>
    <message>
        <source>The branch settings changed at the hub: restart this station to use them.</source>
        <translation>中心服务的网点设置已更改：请重新启动本工作站后生效。</translation>
    </message>
</context>
<context>
    <name>SupervisorView</name>
    <message>
        <source>Request</source>
        <translation>请求</translation>
    </message>
    <message>
        <source>Counter</source>
        <translation>窗口</translation>
    </message>
    <message>
        <source>Who</source>
        <translation>发起人</translation>
    </message>
    <message>
        <source>Waiting</source>
        <translation>已等待</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Claim (Enter)</source>
        <translation>响应 (Enter)</translation>
    </message>
    <message>
        <source>Tell the counter you are on it; everyone sees who claimed it</source>
        <translation>告知窗口您已在处理；所有人都能看到由谁响应</translation>
    </message>
    <message>
        <source>Resolve (Ctrl+Enter)</source>
        <translation>已处理 (Ctrl+Enter)</translation>
    </message>
    <message>
        <source>Mark the selected request as handled</source>
        <translation>将所选请求标记为已处理</translation>
    </message>
    <message numerus="yes">
        <source>%n request(s) waiting</source>
        <translation>
            <numerusform>%n 个请求待响应</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Nothing waiting · %n in progress</source>
        <translation>
            <numerusform>暂无待响应 · %n 个处理中</numerusform>
        </translation>
    </message>
    <message>
        <source>All handled</source>
        <translation>已全部处理</translation>
    </message>
    <message>
        <source>Claimed by you</source>
        <translation>您已响应</translation>
    </message>
    <message>
        <source>No requests. New ones appear here at once.</source>
        <translation>暂无请求。新请求会立即显示在这里。</translation>
    </message>
    <message>
        <source>Ticket {ticket}</source>
        <translation>排队号 {ticket}</translation>
    </message>
    <message>
        <source>Note: {note}</source>
        <translation>备注：{note}</translation>
    </message>
    <message>
        <source>Escalated: nobody claimed it in time</source>
        <translation>已升级：未在时限内响应</translation>
    </message>
</context>
<context>
    <name>TellerView</name>
    <message>
        <source>{label}: opens a short form; Enter sends it</source>
        <translation>{label}：打开简短表单，按 Enter 发送</translation>
    </message>
    <message>
        <source>My calls</source>
        <translation>我的呼叫</translation>
    </message>
    <message>
        <source>No open calls.</source>
        <translation>暂无未结呼叫。</translation>
    </message>
    <message>
        <source>Cancel call (Del)</source>
        <translation>取消呼叫 (Del)</translation>
    </message>
    <message>
        <source>Cancel the selected call (Delete key)</source>
        <translation>取消所选呼叫（Delete 键）</translation>
    </message>
    <message>
        <source>Re-offer…</source>
        <translation>重新转介…</translation>
    </message>
    <message>
        <source>Confirm arrival (F12)</source>
        <translation>确认已到（F12）</translation>
    </message>
    <message>
        <source>The person who took the selected call is here at the counter (F12)</source>
        <translation>所选呼叫的响应人已到窗口（F12）</translation>
    </message>
    <message>
        <source>Sent to this counter</source>
        <translation>发给本窗口</translation>
    </message>
    <message>
        <source>Pause the counter; you will be asked why and for how long</source>
        <translation>暂停本窗口对外服务；会询问原因和预计时长</translation>
    </message>
    <message>
        <source>Stop taking customers at this counter (the program stays open)</source>
        <translation>本窗口不再接待客户（程序不会关闭）</translation>
    </message>
    <message>
        <source>From {who}</source>
        <translation>来自 {who}</translation>
    </message>
    <message>
        <source>since {time}</source>
        <translation>自 {time} 起</translation>
    </message>
    <message>
        <source>The pause is over its expected {minutes} min</source>
        <translation>暂停已超过预计的 {minutes} 分钟</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>已处理</translation>
    </message>
    <message>
        <source>Acknowledge</source>
        <translation>响应</translation>
    </message>
</context>
<context>
    <name>TodayView</name>
    <message>
        <source>Nothing handled yet today.</source>
        <translation>今天还没有已处理的呼叫。</translation>
    </message>
    <message>
        <source>{staff} ({station})</source>
        <translation>{staff}（{station}）</translation>
    </message>
    <message>
        <source>raised {time} by {who}</source>
        <translation>{time} 由 {who} 发起</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <source>Handled by {who}</source>
        <translation>{who} 处理</translation>
    </message>
    <message>
        <source>ended {time}</source>
        <translation>{time} 结束</translation>
    </message>
    <message numerus="yes">
        <source>Handled today · %n</source>
        <translation>
            <numerusform>今日已办 · %n</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>WealthView</name>
    <message>
        <source>Referrals and requests</source>
        <translation>转介与请求</translation>
    </message>
    <message>
        <source>Request</source>
        <translation>事项</translation>
    </message>
    <message>
        <source>Need</source>
        <translation>需求</translation>
    </message>
    <message>
        <source>Ticket</source>
        <translation>排队号</translation>
    </message>
    <message>
        <source>Referred by</source>
        <translation>转介人</translation>
    </message>
    <message>
        <source>Age</source>
        <translation>已等待</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Decline… (Del)</source>
        <translation>退回… (Del)</translation>
    </message>
    <message>
        <source>Decline with a reason; the referral goes to the other wealth managers</source>
        <translation>填写原因后退回，转介将交给其他理财经理</translation>
    </message>
    <message>
        <source>Today's customers</source>
        <translation>今日客户</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Outcome</source>
        <translation>结果</translation>
    </message>
    <message>
        <source>Product</source>
        <translation>产品</translation>
    </message>
    <message>
        <source>Decline the referral</source>
        <translation>退回转介</translation>
    </message>
    <message>
        <source>Why can you not take this customer? It goes to the other wealth managers.</source>
        <translation>无法接待该客户的原因？转介将交给其他理财经理。</translation>
    </message>
    <message>
        <source>I am:</source>
        <translation>我的状态：</translation>
    </message>
    <message>
        <source>Why can you not take this customer? It goes back to {who}, who may offer it to someone else.</source>
        <translation>为什么不能接待这位客户？转介将退回给{who}，由其转给他人。</translation>
    </message>
    <message>
        <source>Decline</source>
        <translation>退回</translation>
    </message>
    <message numerus="yes">
        <source>Today's customers: %n served</source>
        <translation>
            <numerusform>今日客户：已接待 %n 位</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n no-show(s)</source>
        <translation>
            <numerusform>未到场 %n 位</numerusform>
        </translation>
    </message>
    <message>
        <source>New · for you</source>
        <translation>新 · 指定给您</translation>
    </message>
    <message>
        <source>New · offered again</source>
        <translation>待接受 · 重新转介</translation>
    </message>
    <message>
        <source>New</source>
        <translation>待接受</translation>
    </message>
    <message>
        <source>Accepted by you</source>
        <translation>您已接受</translation>
    </message>
    <message>
        <source>Taken by {who}</source>
        <translation>{who} 已接受</translation>
    </message>
    <message>
        <source>Nothing waiting.</source>
        <translation>暂无待办。</translation>
    </message>
    <message>
        <source>Note: {note}</source>
        <translation>备注：{note}</translation>
    </message>
    <message>
        <source>Declined by {who}: {reason}</source>
        <translation>{who} 已退回：{reason}</translation>
    </message>
    <message>
        <source>No note.</source>
        <translation>无备注。</translation>
    </message>
    <message>
        <source>Accept (Enter)</source>
        <translation>接受 (Enter)</translation>
    </message>
    <message>
        <source>Claim (Enter)</source>
        <translation>响应 (Enter)</translation>
    </message>
    <message>
        <source>Outcome… (Ctrl+Enter)</source>
        <translation>登记结果… (Ctrl+Enter)</translation>
    </message>
    <message>
        <source>Done (Ctrl+Enter)</source>
        <translation>已处理 (Ctrl+Enter)</translation>
    </message>
</context>
</TS>
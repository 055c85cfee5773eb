"""Request verdicts: what an agent's swap or time-off request would do, judged on plain values.

``swaps``            ``check_swap`` -> ``SwapVerdict`` (shape, the rule checker on the two
                     agents, coverage impact per interval and queue)
``time_off``         ``check_time_off`` -> ``TimeOffVerdict`` (shape, rules, leave balance,
                     team limit, cost in thousandths of a day)
``impact``           head-counts per interval and queue before and after moved agent-days
                     (``swap_impact``; the time-off impact expands its cells the same way)
``time_off_impact``  the time-off coverage impact with the service level before and after
                     (the model from ``wfm.staffing.dispatch``)
``offers``           ``check_offer`` -> ``OfferVerdict`` (overtime and VTO offers: the change
                     an acceptance makes, judged by the rule checker), ``acceptance_refusal``,
                     ``offer_totals``, ``auto_offers`` (the ``[intraday]`` rule)
``status``           the request status machine (``Machine``) and each kind's transitions

Nothing here reads or writes storage: the API (``api/store/``) loads the rows, calls the
verdict, and persists and audits what it says. A new request kind adds its verdict module here
and its persistence in ``api/store/``.
"""

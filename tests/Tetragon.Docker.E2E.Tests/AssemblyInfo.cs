// Each test starts its own agent: run them one at a time so two agents never compete for 2 CPUs.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

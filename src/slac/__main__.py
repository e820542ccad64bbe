from slac.entry import main

main()
